//! Small server-rendered SVG charts: bars (grouped or stacked), lines, and horizontal bars,
//! inline in a page. No script and no style attributes (the CSP allows neither): every
//! colour and stroke comes from a class in `static/style.css` (`chart-s0` … `chart-s3` for
//! the series). Each chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`
//! (`aria-labelledby`), and comes with the table of its figures, which the page shows beside
//! it: the table is the accessible, exact form; the picture is the overview. Every word the
//! charts write (the summary in `<desc>`, the tooltips, the table's first column) is a message
//! of the catalogue (`locales/*/health.ftl`) in the page's language.

use std::fmt::Write;

use serde::Serialize;

use super::escape;

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 36.0;

/// One series of a chart.
pub struct Series {
    /// What it is (legend and table column).
    pub label: String,
    /// A value per x position; `None` where there is none (a gap, not a zero).
    pub values: Vec<Option<f64>>,
}

/// How the series are drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Bars side by side at each x.
    Grouped,
    /// Bars on top of each other at each x.
    Stacked,
    /// A line per series, with a dot per value.
    Lines,
}

/// A chart and its data table, ready for the template.
#[derive(Serialize)]
pub struct Block {
    /// The element id prefix (unique in the page).
    pub id: String,
    /// The heading above it.
    pub heading: String,
    /// The SVG, built here with every text escaped.
    pub svg_html: String,
    /// The table's column headings.
    pub columns: Vec<String>,
    /// The table's rows (first cell: the row's heading).
    pub rows: Vec<Vec<String>>,
}

/// Message `key` of the catalogue in `lang`, with string arguments (numbers come formatted).
pub fn msg(lang: &str, key: &str, args: &[(&str, &str)]) -> String {
    let Ok(catalogue) = crate::i18n::catalogue() else {
        return key.to_string();
    };
    let mut fluent = fluent_bundle::FluentArgs::new();
    for (name, value) in args {
        fluent.set(*name, value.to_string());
    }
    catalogue.text(lang, key, Some(&fluent))
}

/// A chart over labelled x positions (weeks).
pub struct Chart<'a> {
    /// The language of its words.
    pub lang: &'a str,
    /// Element id prefix.
    pub id: &'a str,
    /// Heading and SVG title.
    pub title: &'a str,
    /// What it shows, in a sentence (SVG desc, before the generated summary).
    pub description: &'a str,
    /// The x labels (one per value).
    pub x_labels: Vec<String>,
    /// How to draw it.
    pub kind: Kind,
    /// The data.
    pub series: Vec<Series>,
    /// How a value reads (axis, table), in `lang`.
    pub format: &'a dyn Fn(f64) -> String,
}

/// A round step for about four grid lines up to `max`.
fn nice_step(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let nice = if norm <= 1.0 {
        1.0
    } else if norm <= 2.0 {
        2.0
    } else if norm <= 2.5 {
        2.5
    } else if norm <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

fn open(out: &mut String, id: &str, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(desc)
    );
}

fn legend(out: &mut String, labels: &[&str]) {
    let mut x = LEFT;
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            out,
            "<rect class=\"chart-s{i}\" x=\"{x}\" y=\"8\" width=\"12\" height=\"12\"/>\
             <text class=\"chart-legend\" x=\"{}\" y=\"18\">{}</text>",
            x + 16.0,
            escape(label)
        );
        x += 16.0 + 7.0 * label.chars().count() as f64 + 18.0;
    }
}

impl Chart<'_> {
    /// The largest value drawn (a stack's total when stacked).
    fn max(&self) -> f64 {
        let n = self.x_labels.len();
        (0..n)
            .map(|i| {
                let at = self.series.iter().map(|s| s.values[i].unwrap_or(0.0));
                if self.kind == Kind::Stacked {
                    at.sum()
                } else {
                    at.fold(0.0, f64::max)
                }
            })
            .fold(0.0, f64::max)
    }

    /// A sentence on the range and the latest figures, for the SVG's `<desc>`.
    fn summary(&self) -> String {
        let mut s = self.description.to_string();
        if let (Some(first), Some(last)) = (self.x_labels.first(), self.x_labels.last()) {
            let range = msg(
                self.lang,
                "health-weeks-range",
                &[("first", first), ("last", last)],
            );
            let _ = write!(s, " {range}");
        }
        for series in &self.series {
            let latest = series.values.iter().rev().find_map(|v| *v);
            let peak = series
                .values
                .iter()
                .flatten()
                .copied()
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            match (latest, peak) {
                (Some(l), Some(p)) => {
                    let text = msg(
                        self.lang,
                        "health-series-latest",
                        &[
                            ("series", &series.label),
                            ("latest", &(self.format)(l)),
                            ("highest", &(self.format)(p)),
                        ],
                    );
                    let _ = write!(s, " {text}");
                }
                _ => {
                    let text = msg(
                        self.lang,
                        "health-series-empty",
                        &[("series", &series.label)],
                    );
                    let _ = write!(s, " {text}");
                }
            }
        }
        s
    }

    /// A bar's or a dot's tooltip: its series, value and week.
    fn point(&self, series: &str, value: f64, week: &str) -> String {
        msg(
            self.lang,
            "health-point",
            &[
                ("series", series),
                ("value", &(self.format)(value)),
                ("week", week),
            ],
        )
    }

    /// The SVG and its table.
    pub fn render(&self) -> Block {
        let mut out = String::with_capacity(8 * 1024);
        open(&mut out, self.id, self.title, &self.summary());
        let labels: Vec<&str> = self.series.iter().map(|s| s.label.as_str()).collect();
        legend(&mut out, &labels);
        let step = nice_step(self.max());
        let top = (self.max() / step).ceil().max(1.0) * step;
        let plot_h = H - TOP - BOTTOM;
        let plot_w = W - LEFT - RIGHT;
        let y = |v: f64| TOP + plot_h - v / top * plot_h;
        // Grid and y axis labels.
        let mut v = 0.0;
        while v <= top + step / 2.0 {
            let _ = write!(
                out,
                "<line class=\"chart-grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
                 <text class=\"chart-axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                W - RIGHT,
                LEFT - 6.0,
                y(v) + 4.0,
                escape(&(self.format)(v)),
                y = y(v),
            );
            v += step;
        }
        let n = self.x_labels.len().max(1);
        let band = plot_w / n as f64;
        for (i, label) in self.x_labels.iter().enumerate() {
            if i % 2 == (n - 1) % 2 {
                let _ = write!(
                    out,
                    "<text class=\"chart-axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    LEFT + band * (i as f64 + 0.5),
                    H - BOTTOM + 16.0,
                    escape(label)
                );
            }
        }
        match self.kind {
            Kind::Grouped | Kind::Stacked => {
                let k = self.series.len().max(1) as f64;
                let inner = band * 0.8;
                for i in 0..self.x_labels.len() {
                    let mut base = 0.0;
                    for (si, s) in self.series.iter().enumerate() {
                        let value = s.values[i].unwrap_or(0.0);
                        let (x, w, from) = if self.kind == Kind::Stacked {
                            (LEFT + band * i as f64 + band * 0.1, inner, base)
                        } else {
                            let w = inner / k;
                            (LEFT + band * i as f64 + band * 0.1 + w * si as f64, w, 0.0)
                        };
                        let (y0, y1) = (y(from), y(from + value));
                        if value > 0.0 {
                            let _ = write!(
                                out,
                                "<rect class=\"chart-s{si}\" x=\"{x:.1}\" y=\"{y1:.1}\" \
                                 width=\"{w:.1}\" height=\"{:.1}\"><title>{}</title></rect>",
                                y0 - y1,
                                escape(&self.point(&s.label, value, &self.x_labels[i])),
                            );
                        }
                        base += value;
                    }
                }
            }
            Kind::Lines => {
                for (si, s) in self.series.iter().enumerate() {
                    let mut path = String::new();
                    let mut pen_down = false;
                    for (i, value) in s.values.iter().enumerate() {
                        let x = LEFT + band * (i as f64 + 0.5);
                        match value {
                            Some(v) => {
                                let _ = write!(
                                    path,
                                    "{}{x:.1} {:.1} ",
                                    if pen_down { "L" } else { "M" },
                                    y(*v)
                                );
                                pen_down = true;
                                let _ = write!(
                                    out,
                                    "<circle class=\"chart-s{si}\" cx=\"{x:.1}\" cy=\"{:.1}\" r=\"3.5\">\
                                     <title>{}</title></circle>",
                                    y(*v),
                                    escape(&self.point(&s.label, *v, &self.x_labels[i])),
                                );
                            }
                            None => pen_down = false,
                        }
                    }
                    if !path.is_empty() {
                        let _ = write!(
                            out,
                            "<path class=\"chart-line chart-l{si}\" d=\"{}\"/>",
                            path.trim_end()
                        );
                    }
                }
            }
        }
        let _ = write!(
            out,
            "<line class=\"chart-baseline\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{b}\" y2=\"{b}\"/></svg>",
            W - RIGHT,
            b = TOP + plot_h
        );
        let mut columns = vec![msg(self.lang, "health-week-starting", &[])];
        columns.extend(self.series.iter().map(|s| s.label.clone()));
        let rows = self
            .x_labels
            .iter()
            .enumerate()
            .map(|(i, label)| {
                let mut row = vec![label.clone()];
                row.extend(
                    self.series
                        .iter()
                        .map(|s| s.values[i].map_or_else(|| "–".into(), self.format)),
                );
                row
            })
            .collect();
        Block {
            id: self.id.to_string(),
            heading: self.title.to_string(),
            svg_html: out,
            columns,
            rows,
        }
    }
}

/// Horizontal bars, one per labelled item (largest first, as given), with a table whose
/// columns are `columns` and rows `rows` (the first cell names the item). Its own words are
/// in `lang`.
pub fn ranking(
    lang: &str,
    id: &str,
    title: &str,
    description: &str,
    items: &[(String, f64)],
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
) -> Block {
    let bar_h = 22.0;
    let height = TOP + bar_h * items.len().max(1) as f64 + 8.0;
    let label_w = 190.0;
    let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let mut out = String::with_capacity(4 * 1024);
    let mut desc = description.to_string();
    for (label, v) in items.iter().take(5) {
        let _ = write!(desc, " {label}: {v}.");
    }
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&desc)
    );
    if items.is_empty() {
        let _ = write!(
            out,
            "<text class=\"chart-axis\" x=\"{LEFT}\" y=\"{}\">{}</text>",
            TOP + 12.0,
            escape(&msg(lang, "health-ranking-empty", &[]))
        );
    }
    for (i, (label, v)) in items.iter().enumerate() {
        let y = TOP + bar_h * i as f64;
        let w = (W - label_w - RIGHT - 50.0) * v / max;
        let shown: String = label.chars().take(28).collect();
        let _ = write!(
            out,
            "<text class=\"chart-axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"chart-s{}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\">\
             <title>{}: {v}</title></rect>\
             <text class=\"chart-axis\" x=\"{:.1}\" y=\"{:.1}\">{v}</text>",
            label_w - 6.0,
            y + 15.0,
            escape(&shown),
            if i == 0 { 0 } else { 1 },
            y + 3.0,
            bar_h - 6.0,
            escape(label),
            label_w + w + 4.0,
            y + 15.0,
        );
    }
    out.push_str("</svg>");
    Block {
        id: id.to_string(),
        heading: title.to_string(),
        svg_html: out,
        columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_escaped_and_unstyled() {
        let c = Chart {
            lang: "en",
            id: "c1",
            title: "Posts <&> replies",
            description: "What \"people\" wrote.",
            x_labels: vec!["2026-11-30".into(), "2026-12-07".into()],
            kind: Kind::Stacked,
            series: vec![
                Series {
                    label: "Posts".into(),
                    values: vec![Some(3.0), None],
                },
                Series {
                    label: "Replies".into(),
                    values: vec![Some(5.0), Some(1.0)],
                },
            ],
            format: &|v| format!("{v:.0}"),
        }
        .render();
        let svg = &c.svg_html;
        assert!(
            svg.contains("role=\"img\"") && svg.contains("aria-labelledby=\"c1-title c1-desc\"")
        );
        assert!(svg.contains("<title id=\"c1-title\">Posts &lt;&amp;&gt; replies</title>"));
        assert!(!svg.contains("style="), "no style attributes: {svg}");
        assert!(!svg.contains("<script"));
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[1], vec!["2026-12-07", "–", "1"]);
        assert!(svg.contains("Replies: latest 1, highest 5."));
        let lines = Chart {
            kind: Kind::Lines,
            ..Chart {
                lang: "en",
                id: "c2",
                title: "t",
                description: "d",
                x_labels: vec!["a".into(), "b".into(), "c".into()],
                kind: Kind::Lines,
                series: vec![Series {
                    label: "s".into(),
                    values: vec![Some(1.0), None, Some(2.0)],
                }],
                format: &|v| format!("{v}"),
            }
        }
        .render();
        // A gap lifts the pen.
        assert_eq!(lines.svg_html.matches('M').count(), 2);
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_step(10.0), 2.5);
        assert_eq!(nice_step(37.0), 10.0);
        assert_eq!(nice_step(1.0), 0.25);
    }
}
