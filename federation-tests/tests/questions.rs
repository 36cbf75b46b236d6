//! Questions and accepted answers across servers: PieFed's `ChooseAnswer` and
//! `Undo{ChooseAnswer}` (its recorded fixtures, signed as PieFed signs) through the HTTP inbox,
//! forged choices refused, and three Cohort instances agreeing on one accepted answer.

use cohort::testing::{TestApp, eventually, id};
use federation_tests::{
    DEADLINE, Trio, find_post,
    peer::{Peer, Software, When},
    replies, thread, wait_for_post,
};
use serde_json::{Value, json};

/// The accepted answer's ActivityPub id as `app` shows post `post` (`None`: no answer).
async fn answer_ap_id(app: &TestApp, post: i64) -> Option<String> {
    let t = thread(app, post).await;
    let accepted = t["answer"]["reply_id"].as_i64()?;
    let r = replies(&t).into_iter().find(|r| r["id"] == accepted)?;
    assert_eq!(r["accepted"], true, "the answer is marked in the tree");
    r["ap_id"].as_str().map(str::to_owned)
}

async fn wait_answer(app: &TestApp, post: i64, want: Option<&str>) {
    eventually(
        &format!("answer {want:?} on {}", app.domain),
        DEADLINE,
        || async {
            let got = answer_ap_id(app, post).await;
            (got.as_deref() == want).then_some(())
        },
    )
    .await
}

/// A fixture of PieFed with `subs` applied and ids made fresh where `fresh` says.
fn piefed(peer: &Peer, app: &TestApp, name: &str, subs: &[(&str, &str)]) -> Value {
    peer.fixture(name, app, subs)
}

#[tokio::test]
async fn piefed_users_accept_answers_in_a_cohort_group_and_forgeries_change_nothing() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    app.group(&bob, "rust").await;
    let r = app
        .request(
            "PATCH",
            "/api/v1/groups/rust",
            Some(&bob),
            Some(&json!({"qa_mode": true})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let peer = Peer::start(Software::PieFed).await;
    let pia = peer.actor("person.json", &app);
    let mallory = peer.another_actor(&pia, "/u/mallory");
    let sam = peer.another_actor(&pia, "/u/sam");

    // pia follows the group (so she gets its relays) and asks a question there: a Q&A group
    // makes it a question, though PieFed marks no post as one.
    let follow = piefed(&peer, &app, "follow.json", &[]);
    assert_eq!(peer.deliver(&app, "/inbox", &pia, &follow).await, 202);
    let create = piefed(&peer, &app, "create_post.json", &[]);
    assert_eq!(peer.deliver(&app, "/inbox", &pia, &create).await, 202);
    let title = create["object"]["name"].as_str().unwrap().to_string();
    let question = wait_for_post(&app, "rust", &title).await;
    assert_eq!(question["kind"], "question");
    let q = id(&question);

    // bob answers here; sam answers from PieFed, marking his own Note `answer: true`, which
    // changes nothing by itself.
    let answer = app.reply_to(&bob, q, None, "Use a scoped thread.").await;
    let answer_ap = answer["ap_id"].as_str().unwrap().to_string();
    let question_ap = question["ap_id"].as_str().unwrap().to_string();
    let mut sams = piefed(
        &peer,
        &app,
        "create_reply.json",
        &[("https://cohort.example/posts/7", &question_ap)],
    );
    let sam_id = sam["id"].as_str().unwrap();
    let pia_id = pia["id"].as_str().unwrap();
    let sams_text = sams
        .to_string()
        .replace(pia_id, sam_id)
        .replace("/comment/7731", "/comment/7790");
    sams = serde_json::from_str(&sams_text).unwrap();
    sams["id"] = json!(format!("{sam_id}/create/1"));
    sams["object"]["answer"] = json!(true);
    sams["object"]["inReplyTo"] = json!(question_ap);
    assert_eq!(peer.deliver(&app, "/inbox", &sam, &sams).await, 202);
    let sams_ap = sams["object"]["id"].as_str().unwrap().to_string();
    eventually("sam's reply stored", DEADLINE, || async {
        replies(&thread(&app, q).await)
            .iter()
            .any(|r| r["ap_id"] == sams_ap.as_str())
            .then_some(())
    })
    .await;
    assert_eq!(answer_ap_id(&app, q).await, None, "answer: true alone");

    // Forged choices are refused and change nothing: a random PieFed user, and the author of
    // the reply they would make the answer.
    let choose = |actor: &Value, object: &str, n: u32| {
        let mut a = piefed(
            &peer,
            &app,
            "choose_answer.json",
            &[("https://cohort.example/replies/9", object)],
        );
        let actor_id = actor["id"].as_str().unwrap();
        a["actor"] = json!(actor_id);
        a["id"] = json!(format!("{actor_id}/answer/{n}"));
        a
    };
    let forged = choose(&mallory, &answer_ap, 1);
    assert_eq!(
        peer.deliver_outcome(&app, "/inbox", &mallory, &forged)
            .await,
        (403, When::ActedOn)
    );
    let own = choose(&sam, &sams_ap, 2);
    assert_eq!(
        peer.deliver_outcome(&app, "/inbox", &sam, &own).await,
        (403, When::ActedOn)
    );
    assert_eq!(answer_ap_id(&app, q).await, None);

    // The asker's ChooseAnswer, as PieFed sends it to the shared inbox: accepted, and relayed
    // by the group, unchanged, to its followers.
    let chosen = piefed(
        &peer,
        &app,
        "choose_answer.json",
        &[("https://cohort.example/replies/9", &answer_ap)],
    );
    assert_eq!(peer.deliver(&app, "/inbox", &pia, &chosen).await, 202);
    wait_answer(&app, q, Some(&answer_ap)).await;
    let chosen_id = chosen["id"].as_str().unwrap().to_string();
    let relay = peer
        .wait_for("Announce{ChooseAnswer}", |b| {
            b["type"] == "Announce" && b["object"]["id"] == chosen_id.as_str()
        })
        .await;
    assert_eq!(relay.body["actor"], format!("http://{}/g/rust", app.domain));
    assert_eq!(relay.body["object"]["object"], answer_ap.as_str());

    // Another group relaying a choice of this group's reply: refused.
    let mut relayed = piefed(
        &peer,
        &app,
        "announce_choose_answer.json",
        &[("https://cohort.example/replies/9", &sams_ap)],
    );
    relayed["object"]["actor"] = json!(pia_id);
    let community = peer.fixture("group.json", &app, &[]);
    peer.publish(&community);
    let (status, _) = peer
        .deliver_outcome(&app, "/inbox", &community, &relayed)
        .await;
    assert!(matches!(status, 400 | 403), "{status}");
    assert_eq!(answer_ap_id(&app, q).await.as_deref(), Some(&*answer_ap));

    // An Undo by someone else is checked like the choice: refused.
    let mut forged_undo = piefed(
        &peer,
        &app,
        "undo_choose_answer.json",
        &[("https://cohort.example/replies/9", &answer_ap)],
    );
    let mallory_id = mallory["id"].as_str().unwrap();
    forged_undo["actor"] = json!(mallory_id);
    forged_undo["id"] = json!(format!("{mallory_id}/undo/1"));
    assert_eq!(
        peer.deliver_outcome(&app, "/inbox", &mallory, &forged_undo)
            .await,
        (403, When::ActedOn)
    );
    assert_eq!(answer_ap_id(&app, q).await.as_deref(), Some(&*answer_ap));

    // The asker's Undo (its embedded ChooseAnswer has a fresh id): the answer is taken back.
    let undo = piefed(
        &peer,
        &app,
        "undo_choose_answer.json",
        &[("https://cohort.example/replies/9", &answer_ap)],
    );
    assert_eq!(peer.deliver(&app, "/inbox", &pia, &undo).await, 202);
    wait_answer(&app, q, None).await;
    let undo_id = undo["id"].as_str().unwrap().to_string();
    peer.wait_for("Announce{Undo{ChooseAnswer}}", |b| {
        b["type"] == "Announce" && b["object"]["id"] == undo_id.as_str()
    })
    .await;
}

#[tokio::test]
async fn a_piefed_community_announcing_a_choice_is_shown_here() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn().await;
    let bob = app.user("bob").await;
    let peer = Peer::start(Software::PieFed).await;
    // A PieFed community in Q&A mode (`questionAnswer`), its members pia and a stranger.
    let mut community = peer.actor("group.json", &app);
    community["questionAnswer"] = json!(true);
    peer.publish(&community);
    let pia = peer.actor("person.json", &app);
    let mallory = peer.another_actor(&pia, "/u/mallory");
    let handle = format!(
        "{}@{}",
        community["preferredUsername"].as_str().unwrap(),
        peer.base.trim_start_matches("http://")
    );

    // bob joins it; the community accepts.
    let r = app
        .post(
            &format!("/api/v1/groups/{handle}/join"),
            Some(&bob),
            json!({}),
        )
        .await;
    assert!(r.status == 200 || r.status == 202, "{}", r.text);
    let follow = peer.wait_for("Follow", |b| b["type"] == "Follow").await;
    let accept = peer.fixture("accept.json", &app, &[]);
    let placeholder = accept["object"]["id"].as_str().unwrap().to_string();
    let follow_id = follow.body["id"].as_str().unwrap().to_string();
    let accept = peer.fixture("accept.json", &app, &[(&placeholder, &follow_id)]);
    assert_eq!(
        peer.deliver(&app, "/u/bob/inbox", &community, &accept)
            .await,
        202
    );
    eventually("joined", DEADLINE, || async {
        let r = app.get("/api/v1/me/groups", Some(&bob)).await;
        r.json
            .as_array()?
            .iter()
            .any(|m| m["group"]["handle"] == handle.as_str() && m["state"] == "joined")
            .then_some(())
    })
    .await;

    // pia's question, announced by the community: a question here, because the community is
    // in Q&A mode. bob answers it.
    let announce = peer.fixture("announce_create_page.json", &app, &[]);
    assert_eq!(peer.send(&app, "/inbox", &announce).await, 202);
    let title = announce["object"]["object"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let question = wait_for_post(&app, &handle, &title).await;
    assert_eq!(question["kind"], "question");
    let q = id(&question);
    let answer = app.reply_to(&bob, q, None, "Like this.").await;
    let answer_ap = answer["ap_id"].as_str().unwrap().to_string();

    // A choice by a stranger, though the community relays it (PieFed checks nothing on an
    // Undo and lets any user mark an answer through its API): refused here, nothing changes.
    let mut forged = peer.fixture(
        "announce_choose_answer.json",
        &app,
        &[("https://cohort.example/replies/9", &answer_ap)],
    );
    let community_id = community["id"].as_str().unwrap();
    let mallory_id = mallory["id"].as_str().unwrap();
    forged["id"] = json!(format!("{community_id}/announce/forged"));
    forged["object"]["id"] = json!(format!("{mallory_id}/answer/forged"));
    forged["object"]["actor"] = json!(mallory_id);
    let status = peer.send(&app, "/inbox", &forged).await;
    let body = serde_json::to_vec(&forged).unwrap();
    assert_eq!(
        Peer::outcome(&app, status, &body).await,
        (403, When::ActedOn)
    );
    assert_eq!(answer_ap_id(&app, q).await, None);

    // pia, who asked, accepts bob's answer; the community announces the choice as PieFed
    // does: shown here.
    let chosen = peer.fixture(
        "announce_choose_answer.json",
        &app,
        &[("https://cohort.example/replies/9", &answer_ap)],
    );
    assert_eq!(peer.send(&app, "/inbox", &chosen).await, 202);
    wait_answer(&app, q, Some(&answer_ap)).await;
    assert!(find_post(&app, &handle, &title).await.is_some());
}

#[tokio::test]
async fn three_instances_show_the_same_accepted_answer() {
    cohort::install_crypto_provider();
    let trio = Trio::start().await;
    let (a, b, c) = (trio.a(), trio.b(), trio.c());
    let handle = trio.handle.clone();

    // carol on C asks in A's group; bob on B answers; so does alice, A's moderator.
    let r = c
        .post(
            &format!("/api/v1/groups/{handle}/posts"),
            Some(&trio.carol),
            json!({"title": "Which CI runner?", "body": "For a monorepo.", "kind": "question"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let on_a = wait_for_post(a, "learning", "Which CI runner?").await;
    assert_eq!(
        on_a["kind"], "question",
        "other Cohorts read cohort:question"
    );
    let on_b = wait_for_post(b, &handle, "Which CI runner?").await;
    let bobs = b
        .reply_to(&trio.bob, id(&on_b), None, "A self-hosted one.")
        .await;
    let bobs_ap = bobs["ap_id"].as_str().unwrap().to_string();
    let alices = a
        .reply_to(&trio.alice, id(&on_a), None, "The one you have.")
        .await;
    let alices_ap = alices["ap_id"].as_str().unwrap().to_string();
    let on_c = id(&r.json);
    let bobs_on_c = eventually("bob's answer on C", DEADLINE, || async {
        replies(&thread(c, on_c).await)
            .into_iter()
            .find(|r| r["ap_id"] == bobs_ap.as_str())
            .map(|r| id(&r))
    })
    .await;

    // carol accepts bob's answer on C: all three show it.
    let r = c
        .request(
            "PUT",
            &format!("/api/v1/posts/{on_c}/answer"),
            Some(&trio.carol),
            Some(&json!({"reply_id": bobs_on_c})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let on_b_id = id(&on_b);
    for (app, post) in [(a, id(&on_a)), (b, on_b_id), (c, on_c)] {
        wait_answer(app, post, Some(&bobs_ap)).await;
    }

    // bob, who wrote the answer but did not ask, may not change it; nothing changes anywhere.
    let alices_on_b = eventually("alice's answer on B", DEADLINE, || async {
        replies(&thread(b, on_b_id).await)
            .into_iter()
            .find(|r| r["ap_id"] == alices_ap.as_str())
            .map(|r| id(&r))
    })
    .await;
    let r = b
        .request(
            "PUT",
            &format!("/api/v1/posts/{on_b_id}/answer"),
            Some(&trio.bob),
            Some(&json!({"reply_id": alices_on_b})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);

    // Nor may an administrator of B: an admin moderates only the groups hosted on their own
    // instance.
    cohort::domain::accounts::create(&b.ctx, "root", "long enough", true)
        .await
        .unwrap();
    let root = b
        .post(
            "/api/v1/auth/login",
            None,
            json!({"username": "root", "password": "long enough"}),
        )
        .await;
    let root = root.json["token"].as_str().unwrap().to_string();
    let r = b
        .request(
            "PUT",
            &format!("/api/v1/posts/{on_b_id}/answer"),
            Some(&root),
            Some(&json!({"reply_id": alices_on_b})),
        )
        .await;
    assert_eq!(r.status, 403, "{}", r.text);
    wait_answer(a, id(&on_a), Some(&bobs_ap)).await;

    // alice, the group's moderator on A, changes it: relayed to B and C.
    let r = a
        .request(
            "PUT",
            &format!("/api/v1/posts/{}/answer", id(&on_a)),
            Some(&trio.alice),
            Some(&json!({"reply_id": id(&alices)})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (app, post) in [(a, id(&on_a)), (b, on_b_id), (c, on_c)] {
        wait_answer(app, post, Some(&alices_ap)).await;
    }

    // carol takes it back on C: gone everywhere.
    let r = c
        .request(
            "DELETE",
            &format!("/api/v1/posts/{on_c}/answer"),
            Some(&trio.carol),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (app, post) in [(a, id(&on_a)), (b, on_b_id), (c, on_c)] {
        wait_answer(app, post, None).await;
    }
}
