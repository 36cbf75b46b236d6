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
    let blocks = blocks(&r);
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

fn percent(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A wait in seconds, in the unit that reads best.
pub fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0);
    if s < 3600.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 2.0 * 86_400.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} d", s / 86_400.0)
    }
}

fn hours(v: f64) -> String {
    duration(v * 3600.0)
}

/// The charts of a report, in page order.
fn blocks(r: &HealthReport) -> Vec<charts::Block> {
    let x: Vec<String> = r.weeks.iter().map(|w| w.week_start.to_string()).collect();
    let of = |f: &dyn Fn(&health::HealthWeek) -> Option<f64>| -> Vec<Option<f64>> {
        r.weeks.iter().map(f).collect()
    };
    let series = |label: &str, values: Vec<Option<f64>>| Series {
        label: label.into(),
        values,
    };
    let mut out = vec![
        Chart {
            id: "active",
            title: "Active members",
            description: "Distinct people who posted, replied or voted each week.",
            x_labels: x.clone(),
            kind: Kind::Grouped,
            series: vec![series(
                "Active members",
                of(&|w| Some(w.active_members as f64)),
            )],
            format: count,
        }
        .render(),
        Chart {
            id: "writing",
            title: "Posts and replies",
            description: "Posts, and replies from the home instance and from other instances, stacked, each week.",
            x_labels: x.clone(),
            kind: Kind::Stacked,
            series: vec![
                series("Posts", of(&|w| Some(w.posts as f64))),
                series(
                    "Replies from the home instance",
                    of(&|w| Some((w.replies - w.replies_from_other_instances) as f64)),
                ),
                series(
                    "Replies from other instances",
                    of(&|w| Some(w.replies_from_other_instances as f64)),
                ),
            ],
            format: count,
        }
        .render(),
        Chart {
            id: "questions",
            title: "Questions asked and answered",
            description: "Questions asked each week, and how many of them have an accepted answer now.",
            x_labels: x.clone(),
            kind: Kind::Grouped,
            series: vec![
                series("Questions", of(&|w| Some(w.questions as f64))),
                series("Answered", of(&|w| Some(w.questions_answered as f64))),
            ],
            format: count,
        }
        .render(),
        Chart {
            id: "waits",
            title: "Median time to first reply and to accepted answer",
            description: "For the posts and questions of each week: the median wait for the first reply by someone else, and for the accepted answer. Gaps: none yet.",
            x_labels: x.clone(),
            kind: Kind::Lines,
            series: vec![
                series(
                    "First reply",
                    of(&|w| w.median_first_reply_seconds.map(|s| s as f64 / 3600.0)),
                ),
                series(
                    "Accepted answer",
                    of(&|w| w.median_answer_seconds.map(|s| s as f64 / 3600.0)),
                ),
            ],
            format: hours,
        }
        .render(),
        Chart {
            id: "across",
            title: "Across organisations",
            description: "The share of replies, and of accepted answers, written on other instances than the home one, each week.",
            x_labels: x,
            kind: Kind::Lines,
            series: vec![
                series("Replies from other instances", of(&|w| w.other_instance_reply_share)),
                series(
                    "Accepted answers from other instances",
                    of(&|w| w.other_instance_answer_share),
                ),
            ],
            format: percent,
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
                    format!("{} (home)", i.domain)
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
        "instances",
        "Instances taking part",
        "Posts and replies over the 12 weeks by the people of each instance, most first.",
        &items,
        ["Instance", "Posts", "Replies", "Accepted answers"]
            .map(String::from)
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
        assert_eq!(super::duration(90.0), "2 min");
        assert_eq!(super::duration(5400.0), "1.5 h");
        assert_eq!(super::duration(3.0 * 86_400.0), "3.0 d");
    }
}
