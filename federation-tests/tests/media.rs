//! Pictures across instances: a post's picture written on A is shown on B from B's own copy
//! (B's readers never contact A), as are the avatar of its author and the group's icon; a
//! picture in a reply written on B comes back to A the same way.

use cohort::testing::{TestApp, id, pictures};
use federation_tests::{Cluster, join, wait_for_post};
use serde_json::Value;

/// GET `path` on `app`, the bytes decoded as a picture: (status, content type, width, height).
async fn picture(app: &TestApp, path: &str) -> (u16, String, u32, u32) {
    let r = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let kind = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = r.bytes().await.unwrap();
    match image::load_from_memory(&bytes) {
        Ok(i) => (status, kind, i.width(), i.height()),
        Err(_) => (status, kind, 0, 0),
    }
}

/// The `src` of the first `<img>` in `html`.
fn first_img(html: &str) -> String {
    let at = html.find("<img src=\"").expect("an image") + "<img src=\"".len();
    html[at..].split('"').next().unwrap().replace("&amp;", "&")
}

#[tokio::test]
async fn pictures_reach_other_instances_and_are_shown_from_their_copies() {
    let cluster = Cluster::start(2).await;
    let (a, b) = (&cluster.instances[0], &cluster.instances[1]);
    let alice = a.user("alice").await;
    a.group(&alice, "learning").await;
    let r = a
        .send_form(
            "PUT",
            "/api/v1/me/avatar",
            Some(&alice),
            &[("file", Some("me.png"), &pictures::png(120, 120))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = a
        .send_form(
            "PUT",
            "/api/v1/groups/learning/icon",
            Some(&alice),
            &[("file", Some("icon.png"), &pictures::png(96, 96))],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let handle = format!("learning@{}", a.domain);
    let bob = b.user("bob").await;
    join(b, &bob, &handle).await;

    // The group's icon, as B knows it, is served by B.
    let g = b.get(&format!("/api/v1/groups/{handle}"), None).await;
    let icon = g.json["icon"]
        .as_str()
        .expect("the icon reached B")
        .to_string();
    assert!(icon.starts_with("/media/groups/"), "{icon}");
    assert_eq!(picture(b, &icon).await.2, 96);

    // Alice's post with a picture.
    let up = a
        .upload(&alice, "board.png", &pictures::png(300, 200), "The board")
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    let a_url = up.json["url"].as_str().unwrap().to_string();
    a.post_in(
        &alice,
        "learning",
        "What we drew",
        &format!("Here:\n\n{}", up.json["markdown"].as_str().unwrap()),
    )
    .await;
    let seen = wait_for_post(b, &handle, "What we drew").await;
    let html = seen["body_html"].as_str().unwrap();
    assert!(
        !html.contains(&a_url),
        "B's page would load A's picture: {html}"
    );
    let src = first_img(html);
    assert!(src.starts_with("/media/remote/"), "{html}");
    assert!(html.contains("alt=\"The board\""), "{html}");
    assert_eq!(
        picture(b, &src).await,
        (200, "image/png".to_string(), 300, 200),
        "B shows its own copy"
    );
    // The author's avatar, through B.
    let avatar = seen["author"]["avatar"]
        .as_str()
        .expect("avatar")
        .to_string();
    assert!(avatar.starts_with("/media/avatars/"), "{avatar}");
    assert_eq!(picture(b, &avatar).await.2, 120);

    // Bob answers from B with a picture of his own: A shows its copy.
    let up = b
        .upload(
            &bob,
            "answer.jpg",
            &pictures::encoded(64, 48, image::ImageFormat::Jpeg),
            "My answer",
        )
        .await;
    assert_eq!(up.status, 201, "{}", up.text);
    b.reply_to(
        &bob,
        id(&seen),
        None,
        &format!("Like this: {}", up.json["markdown"].as_str().unwrap()),
    )
    .await;
    let on_a = wait_for_post(a, "learning", "What we drew").await;
    let reply: Value =
        cohort::testing::eventually("the reply on A", federation_tests::DEADLINE, || async {
            let t = federation_tests::thread(a, id(&on_a)).await;
            t["replies"].as_array().and_then(|r| r.first().cloned())
        })
        .await;
    let src = first_img(reply["body_html"].as_str().unwrap());
    assert!(src.starts_with("/media/remote/"), "{reply}");
    let (status, kind, w, h) = picture(a, &src).await;
    assert_eq!((status, kind.as_str(), w, h), (200, "image/jpeg", 64, 48));
}

#[tokio::test]
async fn a_members_only_groups_pictures_reach_its_members_servers_and_no_other() {
    use cohort::testing::eventually;
    use serde_json::json;
    let cluster = Cluster::start(3).await;
    let (a, b, c) = (
        &cluster.instances[0],
        &cluster.instances[1],
        &cluster.instances[2],
    );
    let owner = a.user("owner").await;
    a.members_only_group(&owner, "team").await;
    let handle = format!("team@{}", a.domain);
    let bob = b.user("bob").await;
    let r = b
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text);
    eventually(
        "the request to reach A",
        federation_tests::DEADLINE,
        || async {
            let r = a.get("/api/v1/groups/team/requests", Some(&owner)).await;
            r.json.as_array().filter(|l| !l.is_empty()).map(|_| ())
        },
    )
    .await;
    let r = a
        .post(
            &format!("/api/v1/groups/team/requests/bob@{}", b.domain),
            Some(&owner),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    federation_tests::wait_joined(b, &bob, &handle).await;

    let up = a
        .upload(&owner, "plan.png", &pictures::png(40, 20), "The plan")
        .await;
    let a_url = up.json["url"].as_str().unwrap().to_string();
    a.post_in(
        &owner,
        "team",
        "Our plan",
        up.json["markdown"].as_str().unwrap(),
    )
    .await;
    // Nobody without a member's server gets it from A.
    let anonymous = a
        .client
        .get(a_url.replace(&format!("http://{}", a.domain), &a.address))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 404);

    // B shows its member the picture, fetched from A by a signed request.
    let seen: Value =
        cohort::testing::eventually("the post on B", federation_tests::DEADLINE, || async {
            let r = b
                .get(&format!("/api/v1/groups/{handle}/posts"), Some(&bob))
                .await;
            r.json["items"].as_array().and_then(|i| i.first().cloned())
        })
        .await;
    let src = first_img(seen["body_html"].as_str().unwrap());
    assert!(src.starts_with("/media/remote/"), "{seen}");
    assert_eq!(
        picture(b, &src).await,
        (200, "image/png".to_string(), 40, 20)
    );

    // C, with no member, is refused by A: its own proxy path for the address answers 404.
    let path = cohort::media::remote::path(&c.ctx.instance, &a_url).unwrap();
    assert_eq!(picture(c, &path).await.0, 404);
}
