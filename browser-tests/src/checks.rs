//! What every page must pass in the browser, as Lighthouse's accessibility audit checks it:
//! a language and landmarks, one main heading, a label for every field, a name for every
//! button and link, text contrast of WCAG AA, a visible focus, and no sideways scrolling on
//! a phone. Each check runs in the page and returns what failed, so a test names it.

use serde_json::json;

use crate::Browser;

/// Landmarks, headings, labels and names.
const STRUCTURE: &str = r#"
const p = [];
if (!document.documentElement.lang) p.push("no lang");
if (!document.documentElement.dir) p.push("no dir");
if (document.querySelectorAll("h1").length !== 1) p.push("h1 count " + document.querySelectorAll("h1").length);
if (!document.querySelector("main")) p.push("no main");
if (!document.querySelector("header nav, nav")) p.push("no nav");
if (!document.title.trim()) p.push("no title");
for (const f of document.querySelectorAll("input:not([type=hidden]), textarea, select")) {
  if (f.labels.length === 0 && !f.getAttribute("aria-label")) p.push("unlabelled " + (f.name || f.id));
}
for (const e of document.querySelectorAll("button, a[href]")) {
  if (!e.textContent.trim() && !e.getAttribute("aria-label")) p.push("nameless " + e.outerHTML.slice(0, 80));
}
const ids = new Set();
for (const e of document.querySelectorAll("[id]")) {
  if (ids.has(e.id)) p.push("duplicate id " + e.id);
  ids.add(e.id);
}
return p;
"#;

/// WCAG 2 contrast of every visible text against what is behind it: 4.5:1, or 3:1 for large
/// text (24 px, or 18.66 px bold). Backgrounds are composed up the ancestors; disabled
/// controls and visually hidden text are exempt, as WCAG exempts them.
const CONTRAST: &str = r#"
function rgba(s) {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const v = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1];
}
function over(top, bottom) {
  const a = top[3] + bottom[3] * (1 - top[3]);
  if (a === 0) return [0, 0, 0, 0];
  return [0, 1, 2].map(i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a).concat([a]);
}
function background(el) {
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
}
function luminance(c) {
  const [r, g, b] = c.slice(0, 3).map(v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const problems = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const seen = new Set();
while (walker.nextNode()) {
  const node = walker.currentNode;
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || seen.has(el)) continue;
  seen.add(el);
  if (el.closest("svg, [disabled], .sr, option")) continue;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  if (style.visibility === "hidden" || style.display === "none" || rect.width === 0 || rect.height === 0) continue;
  if (el.closest(".skip") && document.activeElement !== el.closest(".skip")) continue;
  const fg = over(rgba(style.color), background(el));
  const bg = background(el);
  const l1 = luminance(fg), l2 = luminance(bg);
  const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const need = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
  if (ratio < need) {
    problems.push(`${ratio.toFixed(2)} < ${need}: "${node.textContent.trim().slice(0, 40)}" (${el.tagName.toLowerCase()}.${el.className}) ${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(",")})`);
  }
}
return problems;
"#;

/// A page wider than the window scrolls sideways: on a phone, that is broken.
const OVERFLOW: &str = r#"
const w = document.documentElement.clientWidth;
const wide = [];
if (document.documentElement.scrollWidth > w + 1) {
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.right > w + 1 && !e.closest("pre, .prose table, .chart-table, ol.diff")) {
      wide.push(e.tagName.toLowerCase() + "." + e.className + " ends at " + Math.round(r.right));
      if (wide.length > 5) break;
    }
  }
}
return wide;
"#;

/// The outline a focused control shows: every focusable element must show one.
const FOCUS: &str = r#"
const missing = [];
for (const e of Array.from(document.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden]), textarea, select, summary")).slice(0, 40)) {
  e.focus({focusVisible: true});
  if (document.activeElement !== e) continue;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
  const ring = s.boxShadow && s.boxShadow !== "none";
  if (!outline && !ring) missing.push(e.tagName.toLowerCase() + " " + (e.textContent || e.name || "").trim().slice(0, 30));
}
document.activeElement && document.activeElement.blur();
return missing;
"#;

/// Every problem the checks find on the current page, each prefixed with its check.
pub async fn problems(b: &Browser) -> Vec<String> {
    let mut out = Vec::new();
    for (name, script) in [
        ("structure", STRUCTURE),
        ("contrast", CONTRAST),
        ("overflow", OVERFLOW),
        ("focus", FOCUS),
    ] {
        let found = b.eval(script).await;
        for p in found.as_array().cloned().unwrap_or_default() {
            out.push(format!("{name}: {}", p.as_str().unwrap_or_default()));
        }
    }
    out
}

/// Landmarks, headings, labels and names only (pages that are checked in one theme).
pub async fn assert_accessible(b: &Browser, page: &str) {
    let problems = b.eval(STRUCTURE).await;
    assert_eq!(problems, json!([]), "{page}");
}
