/**
 * A small, strict XML reader for checking feeds: elements, attributes, text, CDATA and the five
 * predefined entities plus numeric references. It throws on anything not well-formed (a tag not
 * closed, a stray `<` or `&`, text outside the root), which is what a feed reader would reject.
 */
export type XmlElement = {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
};

const NAME = '[A-Za-z_][\\w.:-]*';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) {
    throw new Error(`not well-formed text: ${raw.slice(0, 60)}`);
  }
  return raw.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number(ref.slice(1)));
    return ENTITIES[ref]!;
  });
}

export function parseXml(source: string): XmlElement {
  let rest = source.replace(/^\uFEFF?<\?xml[^?]*\?>/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const tag = new RegExp(`^<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
  while (rest.length > 0) {
    const top = stack.at(-1)!;
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      if (end < 0) throw new Error('comment not closed');
      rest = rest.slice(end + 3);
    } else if (rest.startsWith('<![CDATA[')) {
      const end = rest.indexOf(']]>');
      if (end < 0) throw new Error('CDATA not closed');
      top.text += rest.slice(9, end);
      rest = rest.slice(end + 3);
    } else if (rest.startsWith('<')) {
      const match = tag.exec(rest);
      if (!match) throw new Error(`bad tag at: ${rest.slice(0, 60)}`);
      const [whole, closing, name, attrs, selfClosing] = match;
      rest = rest.slice(whole.length);
      if (closing) {
        if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`);
        stack.pop();
        continue;
      }
      const attributes: Record<string, string> = {};
      for (const [, key, dq, sq] of attrs!.matchAll(
        new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g'),
      )) {
        if (key! in attributes) throw new Error(`attribute ${key} twice`);
        attributes[key!] = decode(dq ?? sq ?? '');
      }
      const element: XmlElement = { name: name!, attributes, children: [], text: '' };
      if (top === root && root.children.length > 0) throw new Error('more than one root element');
      top.children.push(element);
      if (!selfClosing) stack.push(element);
    } else {
      const end = rest.indexOf('<');
      const raw = end < 0 ? rest : rest.slice(0, end);
      if (top === root) {
        if (raw.trim()) throw new Error('text outside the root element');
      } else top.text += decode(raw);
      rest = end < 0 ? '' : rest.slice(end);
    }
  }
  if (stack.length > 1) throw new Error(`<${stack.at(-1)!.name}> not closed`);
  const [element] = root.children;
  if (!element) throw new Error('no root element');
  return element;
}

/** The children named `name`. */
export function all(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** The one child named `name`; throws when it is missing. */
export function one(element: XmlElement, name: string): XmlElement {
  const found = all(element, name);
  if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}>, expected one`);
  return found[0]!;
}
