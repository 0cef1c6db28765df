/** What a citizen asked for by writing a keyword, optionally naming one list (as a slug). */
export type Keyword = {
  action: 'subscribe' | 'unsubscribe' | 'lists' | 'privacy' | 'own_data';
  list?: string;
};

type Action = Keyword['action'];
type Phrase = { words: readonly string[]; action: Action };

// Anything longer is a conversation, not a keyword; also bounds the work done per message.
const MAX_LENGTH = 200;
// Shorter keyword words are too close to other words ("stop"/"stip") to forgive a typo.
const TYPO_MIN_LENGTH = 6;

const KEYWORDS: Record<Action, readonly string[]> = {
  subscribe: [
    'iscrizione',
    'iscrivimi',
    'iscriviti',
    'iscrivi',
    'iscrivermi',
    'attiva',
    'attivare',
    'mi iscrivo',
    'voglio iscrivermi',
  ],
  unsubscribe: [
    'cancella',
    'cancellami',
    'cancellazione',
    'disiscrivimi',
    'disiscrizione',
    'disattiva',
    'stop',
    'mi cancello',
  ],
  lists: ['liste', 'lista', 'elenco liste'],
  privacy: ['privacy', 'informativa', 'informativa privacy'],
  own_data: [
    'i miei dati',
    'miei dati',
    'i mie dati',
    'dati',
    'i dati',
    'dati personali',
    'i miei dati personali',
  ],
};

// Only joining and leaving name a list: "LISTE scuola" or "PRIVACY scuola" is a sentence.
const TAKES_LIST: ReadonlySet<Action> = new Set(['subscribe', 'unsubscribe']);

// Longer phrases first, so "mi iscrivo" is tried before its words are read one by one.
const PHRASES: readonly Phrase[] = (Object.entries(KEYWORDS) as [Action, readonly string[]][])
  .flatMap(([action, phrases]) => phrases.map((p) => ({ words: p.split(' '), action })))
  .sort((a, b) => b.words.length - a.words.length);

const PHRASE_LENGTHS = [...new Set(PHRASES.map((p) => p.words.length))];
const KEYWORD_WORDS = new Set(PHRASES.flatMap((p) => p.words));

// Real words one edit away from a keyword word but meaning something else: never read as typos.
const NOT_TYPOS = wordSet(`
  iscrizioni disiscrizioni cancellazioni iscrive iscriva iscrivo iscrivili iscrivici
  iscriverti iscriversi iscriverci iscriverli iscriverai attivo attivi attive
  attica attira cattiva attivate attivarle attirare disattivo disattivi
  disattive cancelli cancello cancellai cancellati cancellali cancellaci cancellarmi
  voglia foglio
`);

const POLITE_WORDS = new Set(['ciao', 'salve', 'buongiorno', 'buonasera', 'grazie', 'perfavore', 'prego']);
const POLITE_PAIRS = new Set(['per favore', 'per piacere', 'grazie mille']);

// Articles, prepositions and pronouns: "iscrivimi a", "cancella mi" name no list.
const NOT_LIST_NAMES = wordSet(`
  a ad al alla di da in su con per e o il lo la le i gli un una mi ti ci vi si
`);

const LIST_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Reads a message that is essentially a keyword (plus at most one list name); anything else is null. */
export function parseKeyword(text: string): Keyword | null {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return null;
  const tokens = withoutPoliteness(toWords(text));
  const matched = matchPhrase(tokens);
  if (!matched) return null;
  const rest = tokens.slice(matched.length);
  if (rest.length === 0) return { action: matched.action };
  const [list] = rest;
  if (rest.length > 1 || list === undefined || !TAKES_LIST.has(matched.action) || !isListName(list))
    return null;
  return { action: matched.action, list };
}

function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.trim().split(/\s+/));
}

function toWords(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      // Combining marks (accents, emoji variation selectors) and zero-width characters vanish in place.
      .replace(/[\p{M}\p{Cf}]/gu, '')
      .replace(/[^\p{L}\p{N}-]+/gu, ' ')
      .split(' ')
      .map((w) => w.replace(/^-+|-+$/g, ''))
      .filter((w) => w.length > 0)
  );
}

function withoutPoliteness(words: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (POLITE_PAIRS.has(`${word} ${words[i + 1]}`)) i++;
    else if (!POLITE_WORDS.has(word)) kept.push(word);
  }
  return kept;
}

function matchPhrase(tokens: readonly string[]): { action: Action; length: number } | null {
  for (const length of PHRASE_LENGTHS) {
    const candidates = PHRASES.filter((p) => p.words.length === length)
      .map((p) => ({ action: p.action, typos: countTypos(p.words, tokens) }))
      .filter((c): c is { action: Action; typos: number } => c.typos !== null);
    if (candidates.length === 0) continue;
    const fewest = Math.min(...candidates.map((c) => c.typos));
    const actions = new Set(candidates.filter((c) => c.typos === fewest).map((c) => c.action));
    const [action] = actions;
    // One reading only: a token that could be two different actions is no keyword.
    return actions.size === 1 && action ? { action, length } : null;
  }
  return null;
}

function countTypos(words: readonly string[], tokens: readonly string[]): number | null {
  let typos = 0;
  for (const [i, word] of words.entries()) {
    const token = tokens[i];
    if (token === word) continue;
    if (token === undefined || !isTypoOf(token, word)) return null;
    typos++;
  }
  return typos;
}

function isTypoOf(token: string, word: string): boolean {
  return word.length >= TYPO_MIN_LENGTH && !NOT_TYPOS.has(token) && isOneEditApart(token, word);
}

function isListName(word: string): boolean {
  return LIST_NAME.test(word) && !KEYWORD_WORDS.has(word) && !NOT_LIST_NAMES.has(word);
}

/** Damerau-Levenshtein distance exactly 1: one insertion, deletion, substitution or adjacent swap. */
function isOneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  if (Math.abs(a.length - b.length) > 1) return false;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  if (a.length === b.length) {
    if (a.slice(start + 1) === b.slice(start + 1)) return true;
    return (
      a[start] === b[start + 1] && a[start + 1] === b[start] && a.slice(start + 2) === b.slice(start + 2)
    );
  }
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.slice(start + 1) === shorter.slice(start);
}
