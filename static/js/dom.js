/**
 * Building page elements. Content from the admin is only ever set as text
 * (textContent), never parsed as HTML.
 */

/**
 * Build an element: `el("p", {className: "x", id: "y"}, "text", childElement)`.
 * Strings become text nodes; attributes go through properties or setAttribute.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "className" || name === "textContent" || name === "htmlFor") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}
