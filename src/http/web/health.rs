//! The health pages (`/g/{handle}/health`, `/admin/health`): `domain::health`'s report as
//! SVG charts, each beside the table of its figures, and the same weeks as CSV
//! (`health.csv`; `?table=instances` for the instances taking part).

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::context;
use serde::Deserialize;

use super::{
    charts::{self, Chart, Kind, Series},
    render::{PageResult, page},
    session::{Viewer, WebPath, WebQuery},
};
use crate::{
    domain::health::{self, HealthReport},
    http::AppState,
};

/// `GET /g/{handle}/health`.
pub(super) async fn group_page(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
) -> PageResult {
    let report = health::group_report(&s.ctx, viewer.user.as_ref(), &handle).await?;
    let csv = format!("/g/{}/health.csv", super::render::path_segment(&handle));
    let api = format!(
        "/api/v1/groups/{}/health",
        super::render::path_segment(&handle)
    );
    show(&s, &viewer, report, &csv, &api)
}

/// `GET /admin/health` (administrators).
pub(super) async fn admin_page(State(s): State<AppState>, viewer: Viewer) -> PageResult {
    let user = viewer.require()?;
    let report = health::instance_report(&s.ctx, user).await?;
    show(
        &s,
        &viewer,
        report,
        "/admin/health.csv",
        "/api/v1/admin/health",
    )
}

fn show(s: &AppState, viewer: &Viewer, r: HealthReport, csv: &str, api: &str) -> PageResult {
    let blocks = blocks(&r, viewer.lang);
    page(
        &s.ctx.instance.domain,
        viewer,
        StatusCode::OK,
        "health.html",
        context! { report => r, charts => blocks, csv => csv, api => api },
    )
}

fn count(v: f64) -> String {
    format!("{v:.0}")
}

/// A number already written with `.` as its decimal point, as `lang` writes it.
fn decimal(lang: &str, number: &str) -> String {
    number.replace('.', &charts::msg(lang, "health-decimal-separator", &[]))
}

/// A share (0 to 1) as a percentage in `lang`.
fn percent(lang: &str, v: f64) -> String {
    let n = format!("{:.0}", v * 100.0);
    charts::msg(lang, "health-percent", &[("n", &n)])
}

/// A wait in seconds, in the unit that reads best, in `lang`.
pub fn duration(lang: &str, seconds: f64) -> String {
    let s = seconds.max(0.0);
    let (key, n) = if s < 3600.0 {
        ("health-minutes", format!("{:.0}", s / 60.0))
    } else if s < 2.0 * 86_400.0 {
        ("health-hours", format!("{:.1}", s / 3600.0))
    } else {
        ("health-days", format!("{:.1}", s / 86_400.0))
    };
    charts::msg(lang, key, &[("n", &decimal(lang, &n))])
}

/// The charts of a report, in page order, their words in `lang`.
fn blocks(r: &HealthReport, lang: &str) -> Vec<charts::Block> {
    let tr = |key: &str| super::render::tr(lang, key);
    let hours = |v: f64| duration(lang, v * 3600.0);
    let share = |v: f64| percent(lang, v);
    let x: Vec<String> = r.weeks.iter().map(|w| w.week_start.to_string()).collect();
    let of = |f: &dyn Fn(&health::HealthWeek) -> Option<f64>| -> Vec<Option<f64>> {
        r.weeks.iter().map(f).collect()
    };
    let series = |key: &str, values: Vec<Option<f64>>| Series {
        label: tr(key),
        values,
    };
    let titles = [
        "health-active",
        "health-writing",
        "health-asked",
        "health-waits",
        "health-across",
    ]
    .map(tr);
    let abouts = [
        "health-active-about",
        "health-writing-about",
        "health-asked-about",
        "health-waits-about",
        "health-across-about",
    ]
    .map(tr);
    let mut out = vec![
        Chart {
            lang,
            id: "active",
            title: &titles[0],
            description: &abouts[0],
            x_labels: x.clone(),
            kind: Kind::Grouped,
            series: vec![series(
                "health-active",
                of(&|w| Some(w.active_members as f64)),
            )],
            format: &count,
        }
        .render(),
        Chart {
            lang,
            id: "writing",
            title: &titles[1],
            description: &abouts[1],
            x_labels: x.clone(),
            kind: Kind::Stacked,
            series: vec![
                series("health-posts", of(&|w| Some(w.posts as f64))),
                series(
                    "health-replies-home",
                    of(&|w| Some((w.replies - w.replies_from_other_instances) as f64)),
                ),
                series(
                    "health-replies-other",
                    of(&|w| Some(w.replies_from_other_instances as f64)),
                ),
            ],
            format: &count,
        }
        .render(),
        Chart {
            lang,
            id: "questions",
            title: &titles[2],
            description: &abouts[2],
            x_labels: x.clone(),
            kind: Kind::Grouped,
            series: vec![
                series("health-questions", of(&|w| Some(w.questions as f64))),
                series(
                    "health-answered",
                    of(&|w| Some(w.questions_answered as f64)),
                ),
            ],
            format: &count,
        }
        .render(),
        Chart {
            lang,
            id: "waits",
            title: &titles[3],
            description: &abouts[3],
            x_labels: x.clone(),
            kind: Kind::Lines,
            series: vec![
                series(
                    "health-first-reply",
                    of(&|w| w.median_first_reply_seconds.map(|s| s as f64 / 3600.0)),
                ),
                series(
                    "health-accepted-answer",
                    of(&|w| w.median_answer_seconds.map(|s| s as f64 / 3600.0)),
                ),
            ],
            format: &hours,
        }
        .render(),
        Chart {
            lang,
            id: "across",
            title: &titles[4],
            description: &abouts[4],
            x_labels: x,
            kind: Kind::Lines,
            series: vec![
                series(
                    "health-replies-other",
                    of(&|w| w.other_instance_reply_share),
                ),
                series(
                    "health-answers-from-other-instances",
                    of(&|w| w.other_instance_answer_share),
                ),
            ],
            format: &share,
        }
        .render(),
    ];
    let items: Vec<(String, f64)> = r
        .instances
        .iter()
        .map(|i| (i.domain.clone(), (i.posts + i.replies) as f64))
        .collect();
    let rows = r
        .instances
        .iter()
        .map(|i| {
            vec![
                if i.home {
                    charts::msg(lang, "health-home", &[("domain", &i.domain)])
                } else {
                    i.domain.clone()
                },
                i.posts.to_string(),
                i.replies.to_string(),
                i.accepted_answers.to_string(),
            ]
        })
        .collect();
    out.push(charts::ranking(
        lang,
        "instances",
        &tr("health-instances"),
        &tr("health-instances-about"),
        &items,
        [
            "health-instance",
            "health-posts",
            "health-replies",
            "health-accepted-answers",
        ]
        .map(tr)
        .to_vec(),
        rows,
    ));
    out
}

#[derive(Debug, Deserialize)]
pub(super) struct CsvQuery {
    table: Option<String>,
}

/// `GET /g/{handle}/health.csv`.
pub(super) async fn group_csv(
    State(s): State<AppState>,
    viewer: Viewer,
    WebPath(handle): WebPath<String>,
    WebQuery(q): WebQuery<CsvQuery>,
) -> Result<Response, super::render::PageError> {
    let report = health::group_report(&s.ctx, viewer.user.as_ref(), &handle).await?;
    let name = handle.split('@').next().unwrap_or("group").to_string();
    Ok(csv_response(
        &report,
        &format!("health-{name}"),
        q.table.as_deref(),
    ))
}

/// `GET /admin/health.csv` (administrators).
pub(super) async fn admin_csv(
    State(s): State<AppState>,
    viewer: Viewer,
    WebQuery(q): WebQuery<CsvQuery>,
) -> Result<Response, super::render::PageError> {
    let user = viewer.require()?;
    let report = health::instance_report(&s.ctx, user).await?;
    Ok(csv_response(&report, "health-instance", q.table.as_deref()))
}

fn csv_response(r: &HealthReport, stem: &str, table: Option<&str>) -> Response {
    let (body, suffix) = match table {
        Some("instances") => (instances_csv(r), "-instances"),
        _ => (weeks_csv(r), ""),
    };
    // The stem is a group name (letters, digits, `_`) or fixed: safe in a quoted filename.
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{stem}{suffix}.csv\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"health.csv\""));
    let mut resp = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-cache"),
            ),
        ],
        body,
    )
        .into_response();
    *resp.status_mut() = StatusCode::OK;
    resp
}

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes
/// doubled. A field a spreadsheet would read as a formula (`=`, `+`, `-`, `@` first, as in a
/// group title) is quoted and prefixed with `'`.
pub fn field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err();
    let s = if formula {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if formula || s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

fn line(out: &mut String, cells: &[String]) {
    let cells: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn ratio(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The weeks, one row each, with the scope and title on every row.
pub fn weeks_csv(r: &HealthReport) -> String {
    let mut out = String::new();
    let header = [
        "scope",
        "title",
        "week_start",
        "complete",
        "active_members",
        "posts",
        "replies",
        "replies_from_other_instances",
        "other_instance_reply_share",
        "questions",
        "questions_answered",
        "answered_share",
        "answers_from_other_instances",
        "other_instance_answer_share",
        "posts_replied",
        "median_first_reply_seconds",
        "median_answer_seconds",
    ];
    line(&mut out, &header.map(String::from));
    let scope = r.group.clone().unwrap_or_else(|| r.home.clone());
    for w in &r.weeks {
        line(
            &mut out,
            &[
                scope.clone(),
                r.title.clone(),
                w.week_start.to_string(),
                w.complete.to_string(),
                w.active_members.to_string(),
                w.posts.to_string(),
                w.replies.to_string(),
                w.replies_from_other_instances.to_string(),
                ratio(w.other_instance_reply_share),
                w.questions.to_string(),
                w.questions_answered.to_string(),
                ratio(w.answered_share),
                w.answers_from_other_instances.to_string(),
                ratio(w.other_instance_answer_share),
                w.posts_replied.to_string(),
                opt(w.median_first_reply_seconds),
                opt(w.median_answer_seconds),
            ],
        );
    }
    out
}

/// The instances taking part, one row each.
pub fn instances_csv(r: &HealthReport) -> String {
    let mut out = String::new();
    line(
        &mut out,
        &["domain", "home", "posts", "replies", "accepted_answers"].map(String::from),
    );
    for i in &r.instances {
        line(
            &mut out,
            &[
                i.domain.clone(),
                i.home.to_string(),
                i.posts.to_string(),
                i.replies.to_string(),
                i.accepted_answers.to_string(),
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_when_needed() {
        use super::field;
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
        assert_eq!(field("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(field("-3"), "-3");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(super::duration("en", 90.0), "2 min");
        assert_eq!(super::duration("en", 5400.0), "1.5 h");
        assert_eq!(super::duration("en", 3.0 * 86_400.0), "3.0 d");
        assert_eq!(super::duration("de", 5400.0), "1,5 h");
        assert_eq!(super::percent("fr", 0.5), "50\u{a0}%");
    }
}
