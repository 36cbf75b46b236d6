//! Pages and threads: a thread (its question and accepted answer) made into a page, and the
//! threads a page's text links to, so a thread lists the pages about it.

use super::*;

/// The threads of this instance a text links to: `/posts/{id}` as a relative link (after
/// `(`, `"`, a space or at the start) or under this instance's address.
pub fn linked_posts(body: &str, domain: &str) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    let (https, http) = (format!("https://{domain}"), format!("http://{domain}"));
    let mut from = 0;
    while let Some(at) = body[from..].find("/posts/") {
        let start = from + at;
        let digits: String = body[start + 7..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let before = &body[..start];
        let ours = before.is_empty()
            || before.ends_with(['(', '"', ' ', '\n'])
            || before.ends_with(&https)
            || before.ends_with(&http);
        if ours
            && let Ok(id) = digits.parse::<i64>()
            && !out.contains(&id)
        {
            out.push(id);
        }
        from = start + 7;
    }
    out
}

/// What makes a page of a thread (all optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PageFromThread {
    /// Title (absent: the thread's).
    #[schema(max_length = 200)]
    pub title: Option<String>,
    /// Address (absent: made from the title).
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
}

/// The handle of person `id`, as a page attributes them.
fn attribution(people: &HashMap<i64, persons::Model>, id: i64) -> String {
    people
        .get(&id)
        .map(|p| format!("@{}@{}", p.username, p.domain))
        .unwrap_or_else(|| "someone".into())
}

/// Markdown of a post or reply: its source, or the text of its HTML when it came without one.
fn source_of(body: &str, body_html: &str) -> String {
    if body.trim().is_empty() {
        crate::domain::questions::excerpt(body, body_html, text::MAX_BODY_CHARS / 2)
    } else {
        body.to_string()
    }
}

/// `user` makes a new page of thread `post_id` in its group: the question (or post) and its
/// accepted answer, each attributed, and a link back to the thread (so the thread lists the
/// page). Who may is who may write the group's pages.
pub async fn from_thread(
    ctx: &Ctx,
    user: &CurrentUser,
    post_id: i64,
    input: PageFromThread,
) -> Result<Written> {
    let (post, group) = crate::domain::posts::load(ctx, post_id).await?;
    if !crate::domain::members::may_read(ctx, &group, Some(user)).await? {
        return Err(Error::NotFound("post"));
    }
    if post.deleted_at.is_some() || post.removed {
        return Err(Error::refused(
            Code::Deleted,
            "this thread was deleted or removed",
        ));
    }
    let answer = match post.answer_id {
        Some(id) => storage::replies::find(&ctx.db, id)
            .await?
            .filter(|a| a.deleted_at.is_none() && !a.removed),
        None => None,
    };
    let people = storage::persons::by_ids(
        &ctx.db,
        std::iter::once(post.author_id).chain(answer.as_ref().map(|a| a.author_id)),
    )
    .await?;
    // A thread of a group hosted elsewhere is linked by its id, which the group's instance
    // (where the page is kept) knows; a thread here by its path.
    let link = if group.local {
        format!("/posts/{}", post.id)
    } else {
        post.ap_id.clone()
    };
    let mut body = format!(
        "{}\n\n— {}, in the thread [{}]({link})\n",
        source_of(&post.body, &post.body_html),
        attribution(&people, post.author_id),
        post.title.replace(['[', ']'], ""),
    );
    if let Some(a) = &answer {
        body.push_str(&format!(
            "\n## The accepted answer\n\n{}\n\n— {}\n",
            source_of(&a.body, &a.body_html),
            attribution(&people, a.author_id)
        ));
    }
    let input = NewPage {
        title: input.title.unwrap_or_else(|| post.title.clone()),
        slug: input.slug,
        body,
        summary: format!("From the thread \"{}\"", text::plain_line(&post.title, 100)),
    };
    create_in(ctx, user.into(), &group, input).await
}

/// The pages that link to thread `post_id`.
pub async fn linking_to(
    ctx: &Ctx,
    viewer: Option<&CurrentUser>,
    post_id: i64,
) -> Result<Vec<PageView>> {
    let (_, group) = crate::domain::posts::load(ctx, post_id).await?;
    if !crate::domain::members::may_read(ctx, &group, viewer).await? {
        return Err(Error::NotFound("post"));
    }
    let rights = rights(ctx, &group, viewer).await?;
    // Only the thread's own group's pages: a page elsewhere may link here too, and its group
    // (perhaps members-only) is not this one.
    Ok(storage::pages::linking_to(&ctx.db, post_id)
        .await?
        .iter()
        .filter(|p| p.group_id == group.id)
        .map(|p| view(&group, p, rights))
        .collect())
}
