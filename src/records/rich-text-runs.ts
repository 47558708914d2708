/**
 * Message HTML (the sanitiser's small subset: p, br, strong, em, ul, ol, li, a) as blocks of styled runs, for
 * writing into a PDF. Pure: no I/O.
 */
import { parseDocument } from 'htmlparser2';

export interface TextRun {
  text: string;
  bold: boolean;
  italic: boolean;
  link: string | null;
}

export interface TextBlock {
  /** 'paragraph', or a list item with its marker ("•", "1.") and its nesting depth (1 for a top-level list). */
  kind: 'paragraph' | 'item';
  marker: string | null;
  depth: number;
  runs: TextRun[];
}

type Node = ReturnType<typeof parseDocument>['children'][number];
interface ElementNode {
  name: string;
  attribs: Record<string, string | undefined>;
  children: Node[];
}
/** Element and text nodes by their DOM node type (1 and 3). */
const elementOf = (node: Node): ElementNode | null => (node.nodeType === 1 ? (node as unknown as ElementNode) : null);
const textOf = (node: Node): string | null => (node.nodeType === 3 ? (node as unknown as { data: string }).data : null);
const isList = (node: Node): boolean => ['ul', 'ol'].includes(elementOf(node)?.name ?? '');

interface Style {
  bold: boolean;
  italic: boolean;
  link: string | null;
}

export function htmlToBlocks(html: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let current: TextBlock | null = null;
  const open = (block: TextBlock) => {
    current = block;
    blocks.push(block);
  };
  const push = (text: string, style: Style) => {
    if (!current) open({ kind: 'paragraph', marker: null, depth: 0, runs: [] });
    const block = current as unknown as TextBlock;
    const last = block.runs.at(-1);
    if (last && last.bold === style.bold && last.italic === style.italic && last.link === style.link) {
      last.text += text;
    } else {
      block.runs.push({ text, ...style });
    }
  };

  function walk(nodes: Node[], style: Style, depth: number): void {
    for (const child of nodes) {
      const data = textOf(child);
      if (data !== null) {
        const text = data.replace(/\s+/g, ' ');
        if (text.trim() !== '' || (current && current.runs.length > 0)) push(text, style);
        continue;
      }
      const node = elementOf(child);
      if (!node) continue;
      switch (node.name) {
        case 'p':
          open({ kind: 'paragraph', marker: null, depth, runs: [] });
          walk(node.children, style, depth);
          current = null;
          break;
        case 'br':
          push('\n', style);
          break;
        case 'strong':
        case 'b':
          walk(node.children, { ...style, bold: true }, depth);
          break;
        case 'em':
        case 'i':
          walk(node.children, { ...style, italic: true }, depth);
          break;
        case 'a':
          walk(node.children, { ...style, link: node.attribs.href ?? null }, depth);
          break;
        case 'ul':
        case 'ol': {
          let number = 0;
          for (const item of node.children) {
            const li = elementOf(item);
            if (li?.name !== 'li') continue;
            number += 1;
            open({ kind: 'item', marker: node.name === 'ol' ? `${number}.` : '•', depth: depth + 1, runs: [] });
            walk(
              li.children.filter((c) => !isList(c)),
              style,
              depth + 1,
            );
            const nested = li.children.filter(isList);
            walk(nested, style, depth + 1);
          }
          current = null;
          break;
        }
        default:
          walk(node.children, style, depth);
      }
    }
  }

  walk(parseDocument(html).children, { bold: false, italic: false, link: null }, 0);
  for (const block of blocks) {
    const first = block.runs[0];
    if (first) first.text = first.text.trimStart();
    const last = block.runs.at(-1);
    if (last) last.text = last.text.trimEnd();
  }
  return blocks.filter((block) => block.runs.some((run) => run.text !== ''));
}
