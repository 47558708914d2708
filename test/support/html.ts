import { DomUtils, parseDocument } from 'htmlparser2';

/**
 * Reading rendered pages in tests as a person (or a screen reader) reads them, instead of regular expressions over
 * the markup: parse once with htmlparser2, find elements with a small CSS subset, read their text.
 *
 * Selectors: compound selectors of a tag, `#id`, `.class`, `[attribute]`, `[attribute="value"]` and
 * `[attribute^="start"]`, joined by spaces for "inside" (descendant). For anything else, pass a predicate.
 */

export type HtmlElement = ReturnType<typeof DomUtils.findAll>[number];
type HtmlNode = HtmlElement | ReturnType<typeof parseDocument>;
type Page = string | HtmlNode;
type Matcher = string | ((element: HtmlElement) => boolean);

export function parseHtml(html: string): ReturnType<typeof parseDocument> {
  return parseDocument(html);
}

function nodeOf(page: Page): HtmlNode {
  return typeof page === 'string' ? parseDocument(page) : page;
}

export function hasClass(element: HtmlElement, name: string): boolean {
  return (element.attribs.class ?? '').split(/\s+/).includes(name);
}

/** The text of an element with runs of white space collapsed, as it reads. */
export function textOf(element: HtmlNode): string {
  return DomUtils.textContent(element).replace(/\s+/g, ' ').trim();
}

interface Compound {
  tag?: string;
  id?: string;
  classes: string[];
  attributes: { name: string; value?: string; prefix?: boolean }[];
}

const compoundPart = /([#.]?)([\w-]+)|\[([\w-]+)(?:(\^?)="([^"]*)")?\]/gy;

function parseCompound(text: string): Compound {
  const compound: Compound = { classes: [], attributes: [] };
  compoundPart.lastIndex = 0;
  let consumed = 0;
  for (let match = compoundPart.exec(text); match; match = compoundPart.exec(text)) {
    consumed = compoundPart.lastIndex;
    const [, prefix, name, attribute, startsWith, value] = match;
    if (attribute) {
      compound.attributes.push(
        value === undefined ? { name: attribute } : { name: attribute, value, prefix: startsWith === '^' },
      );
    } else if (prefix === '#') compound.id = name;
    else if (prefix === '.') compound.classes.push(name!);
    else compound.tag = name;
  }
  if (consumed !== text.length)
    throw new Error(`unsupported selector ${JSON.stringify(text)} (see test/support/html.ts)`);
  return compound;
}

function matchesCompound(element: HtmlElement, compound: Compound): boolean {
  return (
    (compound.tag === undefined || element.name === compound.tag) &&
    (compound.id === undefined || element.attribs.id === compound.id) &&
    compound.classes.every((name) => hasClass(element, name)) &&
    compound.attributes.every(({ name, value, prefix }) => {
      const actual = element.attribs[name];
      if (value === undefined) return actual !== undefined;
      return prefix ? (actual ?? '').startsWith(value) && actual !== undefined : actual === value;
    })
  );
}

function isElement(node: object): node is HtmlElement {
  return 'attribs' in node && 'name' in node;
}

function predicateOf(selector: string): (element: HtmlElement) => boolean {
  const compounds = selector.trim().split(/\s+/).map(parseCompound);
  return (element) => {
    // The last compound matches the element; the others match ancestors, innermost last.
    let remaining = compounds.length - 1;
    if (!matchesCompound(element, compounds[remaining]!)) return false;
    for (let parent = element.parent; parent && remaining > 0; parent = parent.parent) {
      if (isElement(parent) && matchesCompound(parent, compounds[remaining - 1]!)) remaining -= 1;
    }
    return remaining === 0;
  };
}

/** Every element matching, in document order. */
export function findAll(page: Page, matcher: Matcher): HtmlElement[] {
  const test = typeof matcher === 'string' ? predicateOf(matcher) : matcher;
  return DomUtils.findAll(test, nodeOf(page).children);
}

/** The first element matching, if there is one. */
export function findOne(page: Page, matcher: Matcher): HtmlElement | undefined {
  return findAll(page, matcher)[0];
}

/** The collapsed text of every element matching. */
export function textsOf(page: Page, matcher: Matcher): string[] {
  return findAll(page, matcher).map(textOf);
}

/** The page's `<title>`. */
export function pageTitle(page: Page): string {
  const title = findOne(page, 'title');
  return title ? textOf(title) : '';
}

/** The value of a form field by name (`<input>`'s value, `<textarea>`'s text), if the page has one. */
export function fieldValue(page: Page, name: string): string | undefined {
  const field = findOne(
    page,
    (element) => element.attribs.name === name && ['input', 'textarea', 'select'].includes(element.name),
  );
  if (!field) return undefined;
  if (field.name === 'textarea') return DomUtils.textContent(field);
  if (field.name === 'select') {
    const chosen = findOne(field, 'option[selected]');
    return chosen?.attribs.value;
  }
  return field.attribs.value ?? '';
}

/** The links of the GOV.UK error summary: what it says and where each points. */
export function errorSummary(page: Page): { text: string; href: string | undefined }[] {
  const summary = findOne(page, '.govuk-error-summary');
  if (!summary) return [];
  return findAll(summary, 'a').map((link) => ({ text: textOf(link), href: link.attribs.href }));
}
