/**
 * The structure of message HTML. Pure: no I/O.
 *
 * `sanitize-html` keeps only allowed elements, but not where they may stand: `<p>a</p><li>b</li>` is all allowed
 * tags, yet a browser that meets that stray `<li>` inside a message of the thread's list closes the message's own
 * list item, and the words after it appear outside the message, as if someone else had written them. So after the
 * allow-list, the HTML is parsed into a tree, repaired into the structure below and written out again. Every element
 * is closed and nothing needs re-parenting, so a browser builds exactly this tree, wherever the body is placed:
 *
 * - the body and each list item hold blocks (`p`, `ul`, `ol`) and inline content;
 * - `p`, `strong`, `em` and `a` hold only inline content (text, `br`, `strong`, `em`, `a`), and no link holds a link;
 * - `ul` and `ol` hold only `li` (and spaces between them); a list item stands only in a list.
 *
 * Anything in the wrong place moves out to the nearest ancestor where it may stand, splitting the elements it leaves
 * (`<p>a<ul>…</ul>b</p>` becomes `<p>a</p><ul>…</ul><p>b</p>`; a paragraph keeps the bold, italic or link it
 * leaves, other blocks lose it); list items that reach the top of the body are put in
 * a bulleted list of their own. Elements left with no words go, as `sanitize-html`'s filter does it.
 */
import { Parser } from 'htmlparser2';

interface TextNode {
  kind: 'text';
  text: string;
}
interface ElementNode {
  kind: 'element';
  tag: string;
  attribs: Record<string, string>;
  children: MessageNode[];
}
type MessageNode = TextNode | ElementNode;

/** What the body itself is, as a parent: it holds what a list item holds. */
const body = '#body';
const blockTags = new Set(['p', 'ul', 'ol', 'li']);
const inlineTags = new Set(['strong', 'em', 'a']);

function isList(tag: string): boolean {
  return tag === 'ul' || tag === 'ol';
}

/** HTML's inter-element whitespace (which a list may hold between its items); not the no-break space. */
function isInterElementSpace(text: string): boolean {
  return /^[ \t\n\f\r]*$/.test(text);
}

function parse(html: string): MessageNode[] {
  const root: ElementNode = { kind: 'element', tag: body, attribs: {}, children: [] };
  const stack: ElementNode[] = [root];
  const parser = new Parser(
    {
      onopentag(tag, attribs) {
        const element: ElementNode = { kind: 'element', tag, attribs, children: [] };
        stack.at(-1)?.children.push(element);
        stack.push(element);
      },
      ontext(text) {
        const children = stack.at(-1)?.children;
        const last = children?.at(-1);
        if (last?.kind === 'text') last.text += text;
        else children?.push({ kind: 'text', text });
      },
      onclosetag(tag) {
        // htmlparser2 closes what it opened, in order (implied ends included); be strict about it all the same.
        const index = stack.findLastIndex((element) => element.tag === tag);
        if (index > 0) stack.length = index;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return root.children;
}

/** May `node` stand directly inside an element named `parent` (with `inLink`: inside a link, at any depth)? */
function fits(node: MessageNode, parent: string, inLink: boolean): boolean {
  if (isList(parent)) return node.kind === 'text' ? isInterElementSpace(node.text) : node.tag === 'li';
  if (node.kind === 'text') return true;
  const holdsBlocks = parent === body || parent === 'li';
  if (node.tag === 'li') return false; // the body wraps stray items in a list of their own (repairBody)
  if (blockTags.has(node.tag)) return holdsBlocks;
  if (node.tag === 'a') return !inLink;
  return true; // br, strong, em
}

/**
 * The element repaired, as the nodes that take its place in its parent: copies of it holding what may stand in it,
 * and, between them, what had to move out (repaired in turn; the parent decides whether it may stay there).
 */
function repairElement(element: ElementNode, inLink: boolean): MessageNode[] {
  if (element.children.length === 0) return [element]; // br, or an empty element that dropEmpty removes
  const childrenInLink = inLink || element.tag === 'a';
  const out: MessageNode[] = [];
  let kept: MessageNode[] = [];
  const flush = (): void => {
    if (kept.length > 0) out.push({ ...element, children: kept });
    kept = [];
  };
  for (const child of element.children) {
    for (const piece of child.kind === 'text' ? [child] : repairElement(child, childrenInLink)) {
      if (fits(piece, element.tag, childrenInLink)) {
        kept.push(piece);
      } else {
        flush();
        // A paragraph leaving bold, italic or a link takes that formatting along: its words are all inline.
        const keepsFormatting = piece.kind === 'element' && piece.tag === 'p' && inlineTags.has(element.tag);
        out.push(keepsFormatting ? { ...piece, children: [{ ...element, children: piece.children }] } : piece);
      }
    }
  }
  flush();
  return out;
}

/** The body's nodes repaired; runs of list items that reached the top become bulleted lists. */
function repairBody(nodes: MessageNode[]): MessageNode[] {
  const out: MessageNode[] = [];
  let strayList: ElementNode | null = null;
  let spaces: MessageNode[] = [];
  for (const node of nodes) {
    for (const piece of node.kind === 'text' ? [node] : repairElement(node, false)) {
      if (piece.kind === 'element' && piece.tag === 'li') {
        if (strayList) strayList.children.push(...spaces, piece);
        else out.push(...spaces, (strayList = { kind: 'element', tag: 'ul', attribs: {}, children: [piece] }));
        spaces = [];
      } else if (strayList && piece.kind === 'text' && isInterElementSpace(piece.text)) {
        spaces.push(piece);
      } else {
        out.push(...spaces, piece);
        spaces = [];
        strayList = null;
      }
    }
  }
  out.push(...spaces);
  return out;
}

function textOf(nodes: readonly MessageNode[]): string {
  return nodes.map((node) => (node.kind === 'text' ? node.text : textOf(node.children))).join('');
}

/**
 * Elements deeper than `limit` become their words, as `sanitize-html`'s nesting limit does, so that sanitising again
 * finds nothing to change. A list keeps room for its items, so an item never turns into loose text in its list.
 */
function limitDepth(nodes: MessageNode[], limit: number, depth = 1): MessageNode[] {
  return nodes.map((node) => {
    if (node.kind === 'text') return node;
    if (depth > limit || (isList(node.tag) && depth + 1 > limit)) return { kind: 'text', text: textOf(node.children) };
    return { ...node, children: limitDepth(node.children, limit, depth + 1) };
  });
}

/** Blocks with no words go; formatting and links with no words are unwrapped (keeping any spaces and line breaks). */
function dropEmpty(nodes: MessageNode[]): MessageNode[] {
  return nodes.flatMap((node) => {
    if (node.kind === 'text') return [node];
    const children = dropEmpty(node.children);
    if (textOf(children).trim() === '') {
      if (blockTags.has(node.tag)) return [];
      if (inlineTags.has(node.tag)) return children;
    }
    return [{ ...node, children }];
  });
}

// The same escaping as sanitize-html's output, so that a further pass through it changes nothing.
function escapeText(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function serialise(nodes: readonly MessageNode[]): string {
  return nodes
    .map((node) => {
      if (node.kind === 'text') return escapeText(node.text);
      const attributes = Object.entries(node.attribs)
        .map(([name, value]) => ` ${name}="${escapeText(value).replaceAll('"', '&quot;')}"`)
        .join('');
      if (node.tag === 'br') return `<br${attributes} />`;
      return `<${node.tag}${attributes}>${serialise(node.children)}</${node.tag}>`;
    })
    .join('');
}

/**
 * Repair HTML that holds only allowed elements and attributes (the output of sanitize-html with the message
 * allow-list) into the structure described above. Idempotent.
 */
export function repairMessageStructure(html: string, nestingLimit: number): string {
  return serialise(dropEmpty(limitDepth(repairBody(parse(html)), nestingLimit)));
}
