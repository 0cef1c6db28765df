// The demo page: a live feed (Server-Sent Events) of the staff group and the phones, and forms
// that post what staff and citizens write. The HTML of each message was escaped on the server.
const staffLog = document.getElementById('staff-log');
const toast = document.getElementById('toast');
const staffForm = document.getElementById('staff-form');
const staffText = document.getElementById('staff-text');
const staffSample = document.getElementById('staff-sample');
const staffFile = document.getElementById('staff-file');
const replyNote = document.getElementById('reply-note');
const replyText = document.getElementById('reply-text');
const elements = new Map();
let replyTo;

const TICKS = {
  2: ['✓', 'inviato'],
  3: ['✓✓', 'consegnato'],
  4: ['✓✓', 'letto'],
};

function speaker() {
  return staffForm.querySelector('input[name=as]:checked').value;
}

function say(text) {
  toast.textContent = text;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    say(answer.error || 'Qualcosa non ha funzionato.');
    return false;
  }
  return true;
}

/** Keeps the newest message in view unless the reader scrolled up. */
function place(log, element, key) {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
  const old = elements.get(key);
  if (old) old.replaceWith(element);
  else log.append(element);
  elements.set(key, element);
  if (atBottom || !old) log.scrollTop = log.scrollHeight;
}

function setReply(message) {
  replyTo = message ? message.id : undefined;
  replyNote.hidden = !message;
  replyText.textContent = message
    ? `In risposta a: ${message.html.replace(/<[^>]*>/g, '').slice(0, 80)}`
    : '';
}

function staffMessage(message) {
  const key = `staff:${message.id}`;
  if (message.deleted) {
    elements.get(key)?.remove();
    elements.delete(key);
    return;
  }
  const element = document.createElement('article');
  element.className = message.fromBot ? 'msg' : 'msg mine';
  element.dataset.id = String(message.id);
  const author = document.createElement('p');
  author.className = 'author';
  author.textContent = message.author;
  element.append(author);
  if (message.photo) {
    const image = document.createElement('img');
    image.src = message.photo;
    image.alt = 'Immagine nel messaggio';
    element.append(image);
  }
  if (message.document) {
    const link = document.createElement('a');
    link.href = message.document.url;
    link.textContent = `File: ${message.document.name}`;
    element.append(link);
  }
  const text = document.createElement('div');
  text.className = 'text';
  text.innerHTML = message.html;
  element.append(text);
  if (message.keyboard.length > 0) {
    const keyboard = document.createElement('div');
    keyboard.className = 'keyboard';
    keyboard.setAttribute('role', 'group');
    keyboard.setAttribute('aria-label', 'Pulsanti del messaggio');
    for (const row of message.keyboard) {
      const line = document.createElement('div');
      line.className = 'row';
      for (const button of row) line.append(keyboardButton(message, button));
      keyboard.append(line);
    }
    element.append(keyboard);
  }
  if (message.edited) {
    const meta = document.createElement('p');
    meta.className = 'meta';
    meta.textContent = 'modificato';
    element.append(meta);
  }
  place(staffLog, element, key);
  if (message.asksReply && !elements.has(`${key}:asked`)) {
    elements.set(`${key}:asked`, element);
    setReply(message);
    staffText.focus();
  }
}

function keyboardButton(message, button) {
  if (button.url) {
    const link = document.createElement('a');
    link.href = button.url;
    link.textContent = button.text;
    link.target = '_blank';
    link.rel = 'noopener';
    return link;
  }
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = button.text;
  element.addEventListener('click', () => {
    say('');
    post('/demo/press', { as: speaker(), messageId: message.id, data: button.data });
  });
  return element;
}

/** The receipt line: what the Comune sees of a message it sent. */
function receipt(status) {
  const [marks, words] = TICKS[status];
  const meta = document.createElement('p');
  meta.className = 'meta';
  meta.innerHTML = `Ricevuta per il Comune: <span class="ticks${status === 4 ? ' read' : ''}" aria-hidden="true">${marks}</span> ${words}`;
  return meta;
}

function phoneMessage(message) {
  const log = document.getElementById(`phone-${message.phone}-log`);
  if (!log) return;
  const shown = elements.get(`phone:${message.id}`);
  // A receipt changes only its line, so screen readers do not read the message again.
  if (shown && message.status && TICKS[message.status]) {
    const line = receipt(message.status);
    const old = shown.querySelector('.meta');
    if (old) old.replaceWith(line);
    else shown.append(line);
    return;
  }
  const element = document.createElement('div');
  element.className = message.fromCitizen ? 'msg mine' : 'msg';
  if (!message.fromCitizen) {
    const author = document.createElement('p');
    author.className = 'author';
    author.textContent = 'Comune';
    element.append(author);
  }
  if (message.image) {
    const image = document.createElement('img');
    image.src = message.image;
    image.alt = 'Immagine del bollettino';
    element.append(image);
  }
  if (message.document) {
    const file = document.createElement('p');
    file.textContent = `Allegato: ${message.document}`;
    element.append(file);
  }
  const text = document.createElement('div');
  text.className = 'text';
  text.innerHTML = message.html;
  element.append(text);
  if (message.status && TICKS[message.status]) element.append(receipt(message.status));
  place(log, element, `phone:${message.id}`);
}

function connect() {
  const events = new EventSource('/demo/events');
  events.addEventListener('message', (event) => {
    const change = JSON.parse(event.data);
    if (change.kind === 'staff') staffMessage(change.message);
    if (change.kind === 'phone') phoneMessage(change.message);
    if (change.kind === 'toast') say(change.text);
  });
}

function readImage(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

staffForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = staffFile.files[0];
  const body = { as: speaker(), text: staffText.value };
  if (replyTo !== undefined) body.replyTo = replyTo;
  if (staffSample.checked) body.sampleImage = true;
  else if (file) body.image = { base64: await readImage(file), mimeType: file.type };
  say('');
  if (await post('/demo/staff', body)) {
    staffText.value = '';
    staffSample.checked = false;
    staffFile.value = '';
    setReply(undefined);
  }
});

staffText.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    staffForm.requestSubmit();
  }
});

document.getElementById('reply-cancel').addEventListener('click', () => setReply(undefined));

for (const form of document.querySelectorAll('form[data-phone]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = form.querySelector('input');
    if (await post('/demo/phone', { phone: Number(form.dataset.phone), text: input.value })) input.value = '';
  });
}

// The chats scroll: keyboard users reach them with Tab and scroll them with the arrows.
for (const log of document.querySelectorAll('.log')) log.tabIndex = 0;

connect();
