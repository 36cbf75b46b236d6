//! The hostile-input suite: crafted inbox and API requests, each with its expected outcome (a
//! 4xx, or content neutralised), checking that nothing is stored that should not be and that
//! the server keeps answering. Inbox requests come from a Mastodon-shaped stand-in peer
//! (`federation_tests::peer`), signed correctly unless the case spoils the signature.

use cohort::{
    storage,
    testing::{TestApp, id},
};
use federation_tests::peer::{Peer, Signing, Software, Tamper, When};
use serde_json::{Value, json};

/// One outcome per case: its name, the status expected, the status got, and what went wrong.
#[derive(Default)]
struct Suite {
    cases: usize,
    failures: Vec<String>,
}

/// Cases refused only while acted on (answered 202, then refused by a rule), across the
/// suites of this file: they must store nothing all the same.
static REFUSED_LATER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Suite {
    fn check(&mut self, name: &str, ok: bool, detail: impl std::fmt::Display) {
        self.cases += 1;
        if !ok {
            self.failures.push(format!("{name}: {detail}"));
        }
    }

    fn status(&mut self, name: &str, expected: &[u16], got: u16) {
        self.check(
            name,
            expected.contains(&got),
            format_args!("expected {expected:?}, got {got}"),
        );
    }

    fn finish(self, at_least: usize) {
        assert!(
            self.failures.is_empty(),
            "{} of {} cases failed:\n{}",
            self.failures.len(),
            self.cases,
            self.failures.join("\n")
        );
        assert!(self.cases >= at_least, "only {} cases", self.cases);
        eprintln!(
            "{} hostile cases passed ({} in all so far refused while acted on, after a 202)",
            self.cases,
            REFUSED_LATER.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
}

struct World {
    app: TestApp,
    peer: Peer,
    actor: Value,
    post: Value,
    reply: Value,
    token: String,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::spawn().await;
        let token = app.user("bob").await;
        app.group(&token, "rust").await;
        let post = app.post_in(&token, "rust", "Borrowing", "How?").await;
        let reply = app.reply_to(&token, id(&post), None, "The book.").await;
        let peer = Peer::start(Software::Mastodon).await;
        let actor = peer.actor("person.json", &app);
        Self {
            app,
            peer,
            actor,
            post,
            reply,
            token,
        }
    }

    /// Mastodon's reply to post 7, with ids made unique by `tag`.
    fn reply_activity(&self, tag: &str) -> Value {
        let post = self.post["ap_id"].as_str().unwrap().to_string();
        let mut v = self.peer.fixture(
            "create_reply.json",
            &self.app,
            &[("https://cohort.example/posts/7", &post)],
        );
        let object = format!("{}/{tag}", v["object"]["id"].as_str().unwrap());
        v["id"] = Value::String(format!("{object}/activity"));
        v["object"]["id"] = Value::String(object);
        v
    }

    fn actor_id(&self) -> String {
        self.actor["id"].as_str().unwrap().to_string()
    }

    fn key_id(&self) -> String {
        self.actor["publicKey"]["id"].as_str().unwrap().to_string()
    }

    /// Whether anything with ActivityPub id `ap_id` is stored.
    async fn stored(&self, ap_id: &str) -> bool {
        let db = &self.app.ctx.db;
        storage::posts::find_by_ap_id(db, ap_id)
            .await
            .unwrap()
            .is_some()
            || storage::replies::find_by_ap_id(db, ap_id)
                .await
                .unwrap()
                .is_some()
    }

    /// Sends `activity`; returns what became of it: the inbox's status or, for an activity
    /// stored (202) and then refused by a rule while acted on, that refusal's status.
    async fn send(&self, activity: &Value, tamper: Tamper) -> u16 {
        let body = serde_json::to_vec(activity).unwrap();
        let headers = self
            .peer
            .sign(&self.app, "/inbox", &self.key_id(), &body, tamper);
        let status = self
            .peer
            .post_raw(&self.app, "/inbox", headers, body.clone())
            .await;
        let (status, when) = Peer::outcome(&self.app, status, &body).await;
        if when == When::ActedOn && status != 202 {
            REFUSED_LATER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        status
    }

    /// Sends a reply whose content is `html`; returns the stored HTML (empty if refused).
    async fn reply_with(&self, tag: &str, edit: impl FnOnce(&mut Value)) -> (u16, String) {
        let mut a = self.reply_activity(tag);
        edit(&mut a);
        let status = self.send(&a, Tamper::default()).await;
        let ap_id = a["object"]["id"].as_str().unwrap_or_default().to_string();
        let html = storage::replies::find_by_ap_id(&self.app.ctx.db, &ap_id)
            .await
            .unwrap()
            .map(|r| r.body_html)
            .unwrap_or_default();
        (status, html)
    }
}

/// Inbox requests that must be refused, and must leave nothing behind.
#[tokio::test]
async fn forged_malformed_and_misattributed_activities_are_refused() {
    cohort::install_crypto_provider();
    let w = World::new().await;
    let mut s = Suite::default();

    // Signatures.
    let spoiled: &[(&str, Tamper, &[u16])] = &[
        (
            "Date 13 hours old",
            Tamper {
                age: Some(13 * 3600),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "Date 2 hours ahead",
            Tamper {
                age: Some(-2 * 3600),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "digest not signed",
            Tamper {
                covered: Some(&["(request-target)", "host", "date"]),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "host not signed",
            Tamper {
                covered: Some(&["(request-target)", "date", "digest"]),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "date not signed",
            Tamper {
                covered: Some(&["(request-target)", "host", "digest"]),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "(request-target) not signed",
            Tamper {
                covered: Some(&["host", "date", "digest"]),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "algorithm hmac-sha256",
            Tamper {
                algorithm: Some("hmac-sha256"),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "algorithm ed25519",
            Tamper {
                algorithm: Some("ed25519"),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "algorithm rsa-sha1",
            Tamper {
                algorithm: Some("rsa-sha1"),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "Digest of another body",
            Tamper {
                digest: Some("SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
                ..Tamper::default()
            },
            &[401],
        ),
        (
            "Digest MD5 only",
            Tamper {
                digest: Some("MD5=rL0Y20zC+Fzt72VPzMSk2A=="),
                ..Tamper::default()
            },
            &[401],
        ),
    ];
    for (i, (name, tamper, expected)) in spoiled.iter().enumerate() {
        let a = w.reply_activity(&format!("sig{i}"));
        let got = w.send(&a, *tamper).await;
        s.status(name, expected, got);
        s.check(
            &format!("{name}: nothing stored"),
            !w.stored(a["object"]["id"].as_str().unwrap()).await,
            "stored",
        );
    }

    // Headers missing or garbled.
    let a = w.reply_activity("raw");
    let body = serde_json::to_vec(&a).unwrap();
    let good = w
        .peer
        .sign(&w.app, "/inbox", &w.key_id(), &body, Tamper::default());
    let without = |name: &str| -> Vec<(String, String)> {
        good.iter().filter(|(k, _)| k != name).cloned().collect()
    };
    let replace = |name: &str, value: &str| -> Vec<(String, String)> {
        good.iter()
            .map(|(k, v)| {
                if k == name {
                    (k.clone(), value.to_string())
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect()
    };
    let sig = good
        .iter()
        .find(|(k, _)| k == "signature")
        .map(|(_, v)| v.clone())
        .unwrap();
    let headers_cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("no Signature", without("signature")),
        ("no Digest", without("digest")),
        ("no Date", without("date")),
        ("Signature not a signature", replace("signature", "garbage")),
        (
            "Signature without keyId",
            replace("signature", &sig.replace("keyId=", "keyid_x=")),
        ),
        (
            "Signature value not base64",
            replace(
                "signature",
                &format!(
                    "{}signature=\"!!!not base64!!!\"",
                    &sig[..sig.find("signature=").unwrap()]
                ),
            ),
        ),
        (
            "Signature of other bytes",
            replace(
                "signature",
                &format!(
                    "{}signature=\"{}\"",
                    &sig[..sig.find("signature=").unwrap()],
                    "A".repeat(344)
                ),
            ),
        ),
        (
            "keyId not a URL",
            replace("signature", &sig.replace(&w.key_id(), "not a url at all")),
        ),
        (
            "keyId of another actor",
            replace(
                "signature",
                &sig.replace(
                    &w.key_id(),
                    &format!("{}/users/lukas#main-key", w.peer.base),
                ),
            ),
        ),
        (
            "keyId on another server",
            replace(
                "signature",
                &sig.replace(
                    &w.key_id(),
                    "https://elsewhere.example/users/maria#main-key",
                ),
            ),
        ),
        ("Signature-Input without Signature", {
            let mut h = good.clone();
            h.push((
                "signature-input".into(),
                "sig1=(\"@method\");created=1;keyid=\"x\"".into(),
            ));
            h
        }),
        (
            "a 64 KiB Signature",
            replace("signature", &"a".repeat(64 * 1024)),
        ),
    ];
    for (name, headers) in headers_cases {
        let got = w
            .peer
            .post_raw(&w.app, "/inbox", headers, body.clone())
            .await;
        s.status(name, &[400, 401, 431], got);
    }
    s.check(
        "garbled headers: nothing stored",
        !w.stored(a["object"]["id"].as_str().unwrap()).await,
        "stored",
    );

    // Signed with a key that is not the actor's.
    let mut impostor = Peer::start(Software::Mastodon).await;
    impostor.private_pem = activitypub_federation::http_signatures::generate_actor_keypair()
        .unwrap()
        .private_key;
    let a = w.reply_activity("impostor");
    let got = impostor.deliver(&w.app, "/inbox", &w.actor, &a).await;
    s.status("signed with another key", &[401], got);

    // RFC 9421, spoiled.
    let mut rfc = Peer::start(Software::Mastodon).await;
    rfc.signing = Signing::Rfc9421;
    rfc.private_pem = w.peer.private_pem.clone();
    let a = w.reply_activity("rfc-old");
    let body = serde_json::to_vec(&a).unwrap();
    let old = rfc.sign(
        &w.app,
        "/inbox",
        &w.key_id(),
        &body,
        Tamper {
            age: Some(13 * 3600),
            ..Tamper::default()
        },
    );
    s.status(
        "RFC 9421 created 13 hours ago",
        &[401],
        rfc.post_raw(&w.app, "/inbox", old, body.clone()).await,
    );
    let fine = rfc.sign(&w.app, "/inbox", &w.key_id(), &body, Tamper::default());
    let other_body = serde_json::to_vec(&w.reply_activity("rfc-other")).unwrap();
    s.status(
        "RFC 9421 over another body",
        &[401],
        rfc.post_raw(&w.app, "/inbox", fine.clone(), other_body)
            .await,
    );
    let no_digest: Vec<(String, String)> = fine
        .iter()
        .filter(|(k, _)| k != "content-digest")
        .cloned()
        .collect();
    s.status(
        "RFC 9421 without Content-Digest",
        &[401],
        rfc.post_raw(&w.app, "/inbox", no_digest, body.clone())
            .await,
    );
    let wrong_alg: Vec<(String, String)> = fine
        .iter()
        .map(|(k, v)| {
            let v = if k == "signature-input" {
                v.replace("rsa-v1_5-sha256", "hmac-sha256")
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect();
    s.status(
        "RFC 9421 alg hmac-sha256",
        &[401],
        rfc.post_raw(&w.app, "/inbox", wrong_alg, body.clone())
            .await,
    );
    s.check(
        "RFC 9421 cases: nothing stored",
        !w.stored(a["object"]["id"].as_str().unwrap()).await,
        "stored",
    );

    // Ids, actors and authors that do not add up.
    let actor = w.actor_id();
    let bob = format!("http://{}/u/bob", w.app.domain);
    let group = format!("http://{}/g/rust", w.app.domain);
    let other_group = format!("{}/c/other", w.peer.base);
    type Edit = Box<dyn Fn(&mut Value)>;
    let misattributed: Vec<(&str, Edit, &[u16])> = vec![
        (
            "activity id on another server",
            Box::new(|a| a["id"] = json!("https://elsewhere.example/activity/1")),
            &[400],
        ),
        (
            "object id on another server than its author",
            Box::new(|a| a["object"]["id"] = json!("https://elsewhere.example/statuses/1")),
            &[400],
        ),
        (
            "object claiming another author",
            Box::new(move |a| a["object"]["attributedTo"] = json!(bob)),
            &[400],
        ),
        (
            "actor on this instance",
            {
                let bob = format!("http://{}/u/bob", w.app.domain);
                Box::new(move |a| a["actor"] = json!(bob))
            },
            &[400, 401],
        ),
        (
            "audience another group than the thread's",
            Box::new(move |a| a["object"]["audience"] = json!(other_group)),
            &[400, 404],
        ),
        (
            "id not a URL",
            Box::new(|a| a["id"] = json!("not a url")),
            &[400],
        ),
        (
            "javascript: id",
            Box::new(|a| a["id"] = json!("javascript:alert(1)")),
            &[400],
        ),
        (
            "actor ftp:",
            {
                let actor = actor.replace("http://", "ftp://");
                Box::new(move |a| a["actor"] = json!(actor))
            },
            &[400, 401],
        ),
        (
            "activity id of 3000 characters",
            {
                let base = w.peer.base.clone();
                Box::new(move |a| a["id"] = json!(format!("{base}/{}", "a".repeat(3000))))
            },
            &[400],
        ),
        (
            // Answered as accepted, so the sender does not count us as failing; ignored.
            "unknown activity type",
            Box::new(|a| a["type"] = json!("Bite")),
            &[202],
        ),
        (
            "object type Question",
            Box::new(|a| a["object"]["type"] = json!("Question")),
            &[400],
        ),
        (
            "object is a number",
            Box::new(|a| a["object"] = json!(42)),
            &[400],
        ),
        (
            "inReplyTo not a URL",
            Box::new(|a| a["object"]["inReplyTo"] = json!("<script>")),
            &[400],
        ),
        (
            "followers-only reply",
            Box::new(move |a| {
                let followers = format!("{actor}/followers");
                a["object"]["to"] = json!([followers]);
                a["object"]["cc"] = json!([followers]);
            }),
            &[400],
        ),
        (
            "a reply to a post in this group sent with no audience and to nobody",
            Box::new(|a| {
                a["object"]["to"] = json!([]);
                a["object"]["cc"] = json!([]);
            }),
            &[400],
        ),
    ];
    for (i, (name, edit, expected)) in misattributed.into_iter().enumerate() {
        let mut a = w.reply_activity(&format!("id{i}"));
        edit(&mut a);
        let got = w.send(&a, Tamper::default()).await;
        s.status(name, expected, got);
        if let Some(object) = a["object"]["id"].as_str() {
            s.check(
                &format!("{name}: nothing stored"),
                !w.stored(object).await,
                "stored",
            );
        }
    }

    // The activity of a type not acted on was counted as ignored, not as accepted.
    let ignored = w
        .app
        .metric("cohort_inbound_activities_total{type=\"other\",outcome=\"ignored\"}")
        .await;
    s.check("unknown type counted as ignored", ignored == 1, ignored);

    // Acting on what is not one's own.
    let reply_ap = w.reply["ap_id"].as_str().unwrap().to_string();
    let post_ap = w.post["ap_id"].as_str().unwrap().to_string();
    let actor = w.actor_id();
    let not_yours: Vec<(&str, Value, &[u16])> = vec![
        (
            "Update of Bob's reply",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Update",
                "id": format!("{actor}#u1"), "actor": actor,
                "object": {"type": "Note", "id": reply_ap, "attributedTo": actor,
                    "to": ["https://www.w3.org/ns/activitystreams#Public"], "inReplyTo": post_ap,
                    "content": "<p>hijacked</p>"}}),
            &[400, 403],
        ),
        (
            "Delete of Bob's reply",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Delete",
                "id": format!("{actor}#d1"), "actor": actor, "object": reply_ap}),
            &[403],
        ),
        (
            "Lock of Bob's thread by a non-moderator",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Lock",
                "id": format!("{actor}#l1"), "actor": actor, "object": post_ap}),
            &[403],
        ),
        (
            "pin of Bob's thread by a non-moderator",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Add",
                "id": format!("{actor}#a1"), "actor": actor, "object": post_ap,
                "target": format!("{group}/featured")}),
            &[403],
        ),
        (
            "self-appointment to the group's moderators",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Add",
                "id": format!("{actor}#m1"), "actor": actor, "object": actor,
                "target": format!("{group}/moderators")}),
            &[403],
        ),
        (
            "Remove of the group's moderator by a non-moderator",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Remove",
                "id": format!("{actor}#m2"), "actor": actor, "object": format!("http://{}/u/bob", w.app.domain),
                "target": format!("{group}/moderators")}),
            &[403],
        ),
        (
            "ban of the group's moderator by a non-moderator",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Block",
                "id": format!("{actor}#b1"), "actor": actor, "object": format!("http://{}/u/bob", w.app.domain),
                "target": group, "removeData": true}),
            &[403],
        ),
        (
            "Undo of a ban by a non-moderator",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Undo",
                "id": format!("{actor}#b2"), "actor": actor,
                "object": {"type": "Block", "id": format!("{actor}#b3"), "actor": actor,
                    "object": actor, "target": group}}),
            &[403],
        ),
        (
            "ChooseAnswer of Bob's reply by someone who neither asked nor moderates",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "ChooseAnswer",
                "id": format!("{actor}#ca1"), "actor": actor, "object": reply_ap,
                "audience": group, "to": ["https://www.w3.org/ns/activitystreams#Public"],
                "cc": [group]}),
            &[403, 409],
        ),
        (
            "Undo{ChooseAnswer} of Bob's reply by someone who neither asked nor moderates",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Undo",
                "id": format!("{actor}#ca2"), "actor": actor, "audience": group,
                "object": {"type": "ChooseAnswer", "id": format!("{actor}#ca3"), "actor": actor,
                    "object": reply_ap, "audience": group}}),
            &[403, 409],
        ),
        (
            "Undo of someone else's Follow",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Undo",
                "id": format!("{actor}#x1"), "actor": actor,
                "object": {"type": "Follow", "id": format!("{}/users/lukas#f", w.peer.base),
                    "actor": format!("{}/users/lukas", w.peer.base), "object": group}}),
            &[400],
        ),
        (
            "Accept of a follow never made",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Accept",
                "id": format!("{actor}#ac1"), "actor": actor,
                "object": {"type": "Follow", "id": format!("{actor}#f9"),
                    "actor": format!("http://{}/u/bob", w.app.domain), "object": format!("{}/c/x", w.peer.base)}}),
            &[400],
        ),
        (
            "Follow of a group elsewhere",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
                "id": format!("{actor}#f2"), "actor": actor, "object": "https://elsewhere.example/g/x"}),
            &[400],
        ),
        (
            "Announce by a person of an activity",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Announce",
                "id": format!("{actor}#an1"), "actor": actor,
                "object": {"type": "Delete", "id": format!("{actor}#d2"), "actor": actor, "object": reply_ap}}),
            &[400, 403],
        ),
        (
            "Announce in the name of a group here",
            json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Announce",
                "id": format!("{actor}#an2"), "actor": group, "object": post_ap}),
            &[400, 401],
        ),
    ];
    for (name, activity, expected) in not_yours {
        let got = w.send(&activity, Tamper::default()).await;
        s.status(name, expected, got);
    }
    let t = federation_tests::thread(&w.app, id(&w.post)).await;
    let g = w.app.get("/api/v1/groups/rust", None).await.json;
    s.check(
        "the moderators unchanged",
        g["moderators"].as_array().map(Vec::len) == Some(1)
            && g["moderators"][0]["username"] == "bob",
        &g,
    );
    let log = w.app.get("/api/v1/groups/rust/modlog", None).await.json;
    s.check(
        "nothing in the mod log",
        log["items"].as_array().is_some_and(Vec::is_empty),
        &log,
    );
    s.check(
        "Bob's thread untouched",
        t["locked"] == false
            && t["pinned"] == false
            && t["replies"][0]["body_html"] == "<p>The book.</p>\n",
        &t,
    );

    // Bodies that are not activities.
    let body_cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        ("not JSON", b"hello".to_vec(), &[400, 401]),
        ("a JSON array", b"[1,2,3]".to_vec(), &[400, 401]),
        ("empty", vec![], &[400, 401]),
        ("invalid UTF-8", vec![0xff, 0xfe, b'{', b'}'], &[400, 401]),
        (
            "nested 5000 deep",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            &[400, 401],
        ),
        (
            "2 MiB",
            format!("{{\"type\":\"Create\",\"x\":\"{}\"}}", "a".repeat(2 << 20)).into_bytes(),
            &[413],
        ),
    ];
    for (name, body, expected) in body_cases {
        let headers = w
            .peer
            .sign(&w.app, "/inbox", &w.key_id(), &body, Tamper::default());
        let got = w.peer.post_raw(&w.app, "/inbox", headers, body).await;
        s.status(name, expected, got);
    }
    let mut deep = w.reply_activity("deep");
    let mut nested = json!("bottom");
    for _ in 0..200 {
        nested = json!({ "x": nested });
    }
    deep["object"]["tag"] = json!([nested]);
    let got = w.send(&deep, Tamper::default()).await;
    s.status("an object nested 200 deep", &[400], got);
    s.check(
        "nested: nothing stored",
        !w.stored(deep["object"]["id"].as_str().unwrap()).await,
        "stored",
    );
    let (got, _) = w
        .reply_with("huge", |a| {
            a["object"]["content"] = json!("a".repeat(300_000));
            a["object"]["contentMap"] = json!({});
        })
        .await;
    s.status("content of 300,000 characters", &[400], got);

    // A replay: accepted once, stored once.
    let a = w.reply_activity("replay");
    let first = w.send(&a, Tamper::default()).await;
    let second = w.send(&a, Tamper::default()).await;
    s.status("replay: first delivery", &[202], first);
    s.status("replay: second delivery", &[202], second);
    let t = federation_tests::thread(&w.app, id(&w.post)).await;
    let copies = t["replies"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ap_id"] == a["object"]["id"])
        .count();
    s.check("replay: stored once", copies == 1, copies);

    // Still answering.
    let health = w.app.get("/healthz", None).await;
    s.status("still answering", &[200], health.status);
    s.finish(60);
}

/// Remote content is stored with everything dangerous taken out: script, frames, event
/// handlers, `javascript:` and `data:` links, forms, styles; in emoji, attachments, content
/// warnings and titles too. Names lose their direction tricks.
#[tokio::test]
async fn hostile_content_is_neutralised() {
    cohort::install_crypto_provider();
    let w = World::new().await;
    let mut s = Suite::default();
    let content: &[(&str, &str, &[&str])] = &[
        (
            "script",
            "<p>a<script>alert(1)</script></p>",
            &["<script", "alert(1)"],
        ),
        (
            "iframe",
            "<iframe src=\"https://evil.example\"></iframe>",
            &["<iframe"],
        ),
        ("onerror", "<img src=x onerror=alert(1)>", &["onerror"]),
        (
            "javascript: link",
            "<a href=\"javascript:alert(1)\">x</a>",
            &["javascript:"],
        ),
        (
            "entity-encoded javascript:",
            "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
            &["ascript:"],
        ),
        (
            "data: link",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            &["data:"],
        ),
        (
            "svg onload",
            "<svg onload=alert(1)><circle/></svg>",
            &["<svg", "onload"],
        ),
        (
            "object",
            "<object data=\"https://evil.example/x.swf\"></object>",
            &["<object"],
        ),
        (
            "embed",
            "<embed src=\"https://evil.example/x\">",
            &["<embed"],
        ),
        (
            "form",
            "<form action=\"https://evil.example\"><input name=p></form>",
            &["<form", "<input"],
        ),
        (
            "meta refresh",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            &["<meta", "refresh"],
        ),
        ("base", "<base href=\"https://evil.example/\">", &["<base"]),
        (
            "link",
            "<link rel=\"stylesheet\" href=\"https://evil.example/x.css\">",
            &["<link"],
        ),
        (
            "style element",
            "<style>body{display:none}</style><p>x</p>",
            &["<style", "display:none"],
        ),
        (
            "style attribute",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            &["style=", "javascript"],
        ),
        ("onclick", "<div onclick=\"alert(1)\">x</div>", &["onclick"]),
        (
            "target attribute",
            "<a href=\"https://ok.example\" target=\"_parent\">x</a>",
            &["_parent"],
        ),
        (
            "mathml",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            &["onerror"],
        ),
        (
            "noscript",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
            &["onerror"],
        ),
        (
            "vbscript",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            &["vbscript"],
        ),
    ];
    for (i, (name, html, forbidden)) in content.iter().enumerate() {
        let (status, stored) = w
            .reply_with(&format!("c{i}"), |a| {
                a["object"]["content"] = json!(html);
                a["object"]["contentMap"] = json!({});
                a["object"]["tag"] = json!([]);
            })
            .await;
        s.status(name, &[202], status);
        let lower = stored.to_lowercase();
        s.check(
            &format!("{name}: neutralised"),
            forbidden.iter().all(|f| !lower.contains(&f.to_lowercase())),
            &stored,
        );
    }
    // The same through contentMap alone.
    let (status, stored) = w
        .reply_with("map", |a| {
            a["object"]["content"] = Value::Null;
            a["object"]["contentMap"] = json!({"en": "<p>x<script>alert(1)</script></p>"});
        })
        .await;
    s.status("contentMap", &[202], status);
    s.check(
        "contentMap: neutralised",
        !stored.contains("<script"),
        &stored,
    );

    // Emoji and attachments crafted to inject.
    let tricks: Vec<(&str, Value, Value, &[&str])> = vec![
        (
            "emoji icon javascript:",
            json!("<p>:evil:</p>"),
            json!([{"type": "Emoji", "name": ":evil:", "icon": {"url": "javascript:alert(1)"}}]),
            &["javascript"],
        ),
        (
            "emoji shortcode with quotes",
            json!("<p>:a\" onerror=\"alert(1):</p>"),
            json!([{"type": "Emoji", "name": ":a\" onerror=\"alert(1):", "icon": {"url": "https://e.example/x.png"}}]),
            &["<img"],
        ),
        (
            "emoji icon URL breaking out of its attribute",
            json!("<p>:ok:</p>"),
            json!([{"type": "Emoji", "name": ":ok:", "icon": {"url": "https://e.example/x.png\" onerror=\"alert(1)"}}]),
            &["onerror=\""],
        ),
        (
            "emoji shortcode inside an attribute",
            json!("<p><a href=\"https://x.example/:ok:\">x</a></p>"),
            json!([{"type": "Emoji", "name": ":ok:", "icon": {"url": "https://e.example/x.png"}}]),
            &["<img"],
        ),
    ];
    for (i, (name, html, tags, forbidden)) in tricks.into_iter().enumerate() {
        let (status, stored) = w
            .reply_with(&format!("e{i}"), |a| {
                a["object"]["content"] = html;
                a["object"]["contentMap"] = json!({});
                a["object"]["tag"] = tags;
            })
            .await;
        s.status(name, &[202], status);
        s.check(
            &format!("{name}: neutralised"),
            forbidden.iter().all(|f| !stored.contains(f)),
            &stored,
        );
    }
    let attachments: Vec<(&str, Value, &[&str])> = vec![
        (
            "attachment javascript: URL",
            json!([{"type": "Document", "mediaType": "image/png", "url": "javascript:alert(1)"}]),
            &["javascript"],
        ),
        (
            "attachment alt text with markup",
            json!([{"type": "Document", "mediaType": "image/png", "url": "https://m.example/a.png",
                "name": "\"><script>alert(1)</script>"}]),
            &["<script"],
        ),
        (
            "attachment data: URL",
            json!([{"type": "Image", "url": "data:image/svg+xml,<svg onload=alert(1)>"}]),
            &["data:", "onload"],
        ),
        (
            "10,000 attachments",
            json!(
                (0..10_000)
                    .map(|i| json!({"type": "Link", "href": format!("https://l.example/{i}")}))
                    .collect::<Vec<_>>()
            ),
            &["https://l.example/64\""],
        ),
    ];
    for (i, (name, list, forbidden)) in attachments.into_iter().enumerate() {
        let (status, stored) = w
            .reply_with(&format!("a{i}"), |a| a["object"]["attachment"] = list)
            .await;
        s.status(name, &[202], status);
        s.check(
            &format!("{name}: neutralised"),
            forbidden.iter().all(|f| !stored.contains(f)),
            &stored,
        );
    }
    let (status, _) = w
        .reply_with("cw", |a| {
            a["object"]["summary"] = json!("<b>spoiler</b><script>alert(1)</script>\u{202E}gnp");
        })
        .await;
    s.status("content warning with markup", &[202], status);
    let cw = storage::replies::find_by_ap_id(
        &w.app.ctx.db,
        &format!(
            "{}/cw",
            w.peer.fixture("create_reply.json", &w.app, &[])["object"]["id"]
                .as_str()
                .unwrap()
        ),
    )
    .await
    .unwrap()
    .and_then(|r| r.content_warning)
    .unwrap_or_default();
    s.check(
        "content warning is plain text",
        cw == "spoileralert(1)gnp" || (!cw.contains('<') && !cw.contains('\u{202E}')),
        &cw,
    );

    // Titles and names.
    let group = format!("http://{}/g/rust", w.app.domain);
    let mut thread = w.reply_activity("title");
    thread["object"]["inReplyTo"] = Value::Null;
    thread["object"]["type"] = json!("Page");
    thread["object"]["audience"] = json!(group);
    thread["object"]["name"] = json!("<script>alert(1)</script>\u{202E}txt.exe\u{200B}");
    let status = w.send(&thread, Tamper::default()).await;
    s.status(
        "a thread titled with markup and an override",
        &[202],
        status,
    );
    let post =
        storage::posts::find_by_ap_id(&w.app.ctx.db, thread["object"]["id"].as_str().unwrap())
            .await
            .unwrap();
    let title = post.as_ref().map(|p| p.title.clone()).unwrap_or_default();
    s.check(
        "title loses the override and invisible characters",
        title == "<script>alert(1)</script>txt.exe",
        &title,
    );
    // The page a browser gets shows the title as text.
    let page = w
        .app
        .client
        .get(format!(
            "{}/posts/{}",
            w.app.address,
            post.as_ref().map(|p| p.id).unwrap_or_default()
        ))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let _ = page;
    let long = w.reply_activity("longtitle");
    let mut long = long;
    long["object"]["inReplyTo"] = Value::Null;
    long["object"]["type"] = json!("Page");
    long["object"]["audience"] = json!(group);
    long["object"]["name"] = json!("t".repeat(10_000));
    s.status(
        "a 10,000-character title",
        &[202],
        w.send(&long, Tamper::default()).await,
    );
    let stored =
        storage::posts::find_by_ap_id(&w.app.ctx.db, long["object"]["id"].as_str().unwrap())
            .await
            .unwrap()
            .map(|p| p.title.chars().count())
            .unwrap_or(0);
    s.check("title cut to 200 characters", stored == 200, stored);

    // Actors whose names disguise themselves.
    let actors: Vec<(&str, &str, &str, &[u16])> = vec![
        (
            "display name with an override",
            "eve",
            "Eve\u{202E}nimda",
            &[202],
        ),
        (
            "preferredUsername with an override",
            "adm\u{202E}in",
            "x",
            &[400],
        ),
        ("preferredUsername with @", "admin@cohort", "x", &[400]),
        ("preferredUsername with a space", "ad min", "x", &[400]),
        (
            "preferredUsername with a zero-width space",
            "ad\u{200B}min",
            "x",
            &[400],
        ),
        ("preferredUsername empty", "", "x", &[400]),
    ];
    for (i, (name, username, display, expected)) in actors.into_iter().enumerate() {
        let path = format!("/users/hostile{i}");
        let mut doc = w.actor.clone();
        let id = format!("{}{path}", w.peer.base);
        doc["id"] = json!(id);
        doc["preferredUsername"] = json!(username);
        doc["name"] = json!(display);
        doc["inbox"] = json!(format!("{id}/inbox"));
        doc["publicKey"]["id"] = json!(format!("{id}#main-key"));
        doc["publicKey"]["owner"] = json!(id);
        w.peer.publish(&doc);
        let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
            "id": format!("{id}#follow"), "actor": id, "object": group});
        let got = w.peer.deliver(&w.app, "/inbox", &doc, &follow).await;
        s.status(name, expected, got);
        let stored = storage::persons::find_by_ap_id(&w.app.ctx.db, &id)
            .await
            .unwrap();
        match expected {
            [202] => {
                let shown = stored.and_then(|p| p.display_name).unwrap_or_default();
                s.check(
                    &format!("{name}: stored without it"),
                    shown == "Evenimda",
                    &shown,
                );
            }
            _ => s.check(&format!("{name}: not stored"), stored.is_none(), "stored"),
        }
    }

    let health = w.app.get("/healthz", None).await;
    s.status("still answering", &[200], health.status);
    s.finish(50);
}

/// Outside debug mode, no fetch goes to loopback, private, link-local or metadata addresses,
/// whatever names them; and no redirect is followed, anywhere.
#[tokio::test]
async fn internal_addresses_and_redirects_are_never_fetched() {
    cohort::install_crypto_provider();
    let app = TestApp::spawn_with(|c| c.federation.debug = false).await;
    let peer = Peer::start(Software::Mastodon).await;
    let mut s = Suite::default();
    let targets = [
        "127.0.0.1",
        "127.1",
        "localhost",
        "[::1]",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "[fe80::1]",
        "[fc00::1]",
        "[::ffff:127.0.0.1]",
        "2130706433",
        "0x7f000001",
        "224.0.0.1",
        "255.255.255.255",
    ];
    for host in targets {
        let actor = format!("https://{host}/users/x");
        let activity = json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
            "id": format!("{actor}#f"), "actor": actor,
            "object": format!("https://{}/g/rust", app.domain)});
        let body = serde_json::to_vec(&activity).unwrap();
        let headers = peer.sign(
            &app,
            "/inbox",
            &format!("{actor}#main-key"),
            &body,
            Tamper::default(),
        );
        let got = peer.post_raw(&app, "/inbox", headers, body).await;
        s.status(&format!("actor at {host}"), &[400, 401, 403, 404], got);
        s.check(
            &format!("actor at {host}: not stored"),
            storage::persons::find_by_ap_id(&app.ctx.db, &actor)
                .await
                .unwrap()
                .is_none(),
            "stored",
        );
    }
    let health = app.get("/healthz", None).await;
    s.status("still answering", &[200], health.status);

    // In debug mode (loopback allowed), an actor id that redirects to another actor does not
    // become that actor: the document's id must be the id asked for, and the signer must be
    // the activity's actor. (A redirect's target is checked like any URL before it is
    // fetched, so outside debug mode it is never an internal address.)
    let debug = TestApp::spawn().await;
    let token = debug.user("bob").await;
    debug.group(&token, "rust").await;
    let real = peer.actor("person.json", &debug);
    let moved = format!("{}/users/moved", peer.base);
    peer.redirect("/users/moved", real["id"].as_str().unwrap());
    let mut doc = real.clone();
    doc["id"] = json!(moved);
    doc["publicKey"]["id"] = json!(format!("{moved}#main-key"));
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
        "id": format!("{moved}#f"), "actor": moved,
        "object": format!("http://{}/g/rust", debug.domain)});
    let got = peer.deliver(&debug, "/inbox", &doc, &follow).await;
    s.status(
        "an actor id that redirects elsewhere",
        &[400, 401, 404],
        got,
    );
    s.check(
        "no one stored under the redirecting id",
        storage::persons::find_by_ap_id(&debug.ctx.db, &moved)
            .await
            .unwrap()
            .is_none(),
        "stored",
    );
    let g = storage::groups::find_by_name(&debug.ctx.db, "rust", &debug.domain)
        .await
        .unwrap()
        .unwrap();
    s.check(
        "no follower gained",
        storage::followers::count_accepted(&debug.ctx.db, g.id)
            .await
            .unwrap()
            == 0,
        "followed",
    );
    s.finish(35);
}

/// API requests that must be refused with a clear 4xx, changing nothing.
#[tokio::test]
async fn hostile_api_requests_are_refused() {
    cohort::install_crypto_provider();
    let w = World::new().await;
    let app = &w.app;
    let mut s = Suite::default();
    let json_cases: Vec<(&str, &str, Value, &[u16])> = vec![
        (
            "sign-up with ../",
            "/api/v1/accounts",
            json!({"username": "../etc", "password": "a long password"}),
            &[400],
        ),
        (
            "sign-up with SQL",
            "/api/v1/accounts",
            json!({"username": "x' OR 1=1 --", "password": "a long password"}),
            &[400],
        ),
        (
            "sign-up with 10,000 characters",
            "/api/v1/accounts",
            json!({"username": "a".repeat(10_000), "password": "a long password"}),
            &[400],
        ),
        (
            "sign-up with an override",
            "/api/v1/accounts",
            json!({"username": "adm\u{202E}in", "password": "a long password"}),
            &[400],
        ),
        (
            "sign-up with a number",
            "/api/v1/accounts",
            json!({"username": 123, "password": "a long password"}),
            &[400],
        ),
        (
            "sign-up with a NUL",
            "/api/v1/accounts",
            json!({"username": "a\u{0}b", "password": "a long password"}),
            &[400],
        ),
        (
            "login with nothing",
            "/api/v1/auth/login",
            json!({}),
            &[400],
        ),
        (
            "login with a 100 KiB password",
            "/api/v1/auth/login",
            json!({"username": "bob", "password": "p".repeat(100_000)}),
            &[400, 401],
        ),
    ];
    for (name, path, body, expected) in json_cases {
        let r = app.post(path, None, body).await;
        s.status(name, expected, r.status);
        s.check(
            &format!("{name}: says why"),
            r.json["error"].is_string(),
            &r.text,
        );
    }
    let token = Some(w.token.as_str());
    let post = id(&w.post);
    let authed: Vec<(&str, String, Value, &[u16])> = vec![
        (
            "a title with an override",
            "/api/v1/groups/rust/posts".into(),
            json!({"title": "a\u{202E}b", "body": "x"}),
            &[400],
        ),
        (
            "a title with a newline",
            "/api/v1/groups/rust/posts".into(),
            json!({"title": "a\nb", "body": "x"}),
            &[400],
        ),
        (
            "a body with NUL",
            "/api/v1/groups/rust/posts".into(),
            json!({"title": "t", "body": "a\u{0}b"}),
            &[400],
        ),
        (
            "a body of 200,000 characters",
            "/api/v1/groups/rust/posts".into(),
            json!({"title": "t", "body": "a".repeat(200_000)}),
            &[400],
        ),
        (
            "a title of 1,000 characters",
            "/api/v1/groups/rust/posts".into(),
            json!({"title": "t".repeat(1000), "body": "x"}),
            &[400],
        ),
        (
            "a vote of 2",
            format!("/api/v1/posts/{post}/vote"),
            json!({"value": 2}),
            &[400],
        ),
        (
            "a vote of \"up\"",
            format!("/api/v1/posts/{post}/vote"),
            json!({"value": "up"}),
            &[400],
        ),
        (
            "a reply under another thread's reply",
            format!("/api/v1/posts/{post}/replies"),
            json!({"body": "x", "parent_id": 999_999}),
            &[400],
        ),
        (
            "a reply with a negative parent",
            format!("/api/v1/posts/{post}/replies"),
            json!({"body": "x", "parent_id": -1}),
            &[400],
        ),
        (
            "a group named ../x",
            "/api/v1/groups".into(),
            json!({"name": "../x", "title": "t"}),
            &[400],
        ),
        (
            "a group named with an override",
            "/api/v1/groups".into(),
            json!({"name": "a\u{202E}b", "title": "t"}),
            &[400],
        ),
        (
            "a group titled with an override",
            "/api/v1/groups".into(),
            json!({"name": "ok_name", "title": "a\u{202E}b"}),
            &[400],
        ),
        (
            "joining a handle with two @",
            "/api/v1/groups/a@@b/join".into(),
            json!({}),
            &[400, 404],
        ),
        (
            "joining a handle with no name",
            "/api/v1/groups/@host/join".into(),
            json!({}),
            &[400, 404],
        ),
        (
            "resolving javascript:",
            "/api/v1/resolve".into(),
            json!({"query": "javascript:alert(1)"}),
            &[400, 404],
        ),
        (
            "resolving file:",
            "/api/v1/resolve".into(),
            json!({"query": "file:///etc/passwd"}),
            &[400, 404],
        ),
        (
            "resolving 10,000 characters",
            "/api/v1/resolve".into(),
            json!({"query": "a".repeat(10_000)}),
            &[400, 404],
        ),
        (
            "a ban of someone at the cloud-metadata address",
            "/api/v1/groups/rust/bans".into(),
            json!({"person": "http://169.254.169.254/latest/meta-data/"}),
            &[400, 404],
        ),
        (
            "a ban of someone on loopback",
            "/api/v1/groups/rust/bans".into(),
            json!({"person": "root@127.0.0.1"}),
            &[400, 404],
        ),
        (
            "a ban with a reason of 10,000 characters",
            "/api/v1/groups/rust/bans".into(),
            json!({"person": "bob", "reason": "r".repeat(10_000)}),
            &[400],
        ),
        (
            "a ban ending in the year 0",
            "/api/v1/groups/rust/bans".into(),
            json!({"person": "nobody", "expires_at": "0000-01-01T00:00:00Z"}),
            &[400, 404],
        ),
        (
            "a moderator named javascript:",
            "/api/v1/groups/rust/moderators".into(),
            json!({"person": "javascript:alert(1)"}),
            &[400, 404],
        ),
        (
            "a report with an override in its reason",
            "/api/v1/reports".into(),
            json!({"post_id": post, "reason": "a\u{202E}b"}),
            &[400],
        ),
        (
            "a report naming a post and a reply",
            "/api/v1/reports".into(),
            json!({"post_id": post, "reply_id": 1, "reason": "x"}),
            &[400],
        ),
        (
            "a lock with a reason holding a newline",
            format!("/api/v1/posts/{post}/lock"),
            json!({"reason": "a\nb"}),
            &[400],
        ),
    ];
    for (name, path, body, expected) in authed {
        let r = app.post(&path, token, body).await;
        s.status(name, expected, r.status);
    }
    let r = app.get("/api/v1/groups/rust/modlog", None).await;
    s.check(
        "no moderator action came of them",
        r.json["items"].as_array().is_some_and(Vec::is_empty),
        &r.text,
    );
    for (name, host) in [
        ("blocking one's own instance", w.app.domain.clone()),
        ("blocking a host of 10,000 characters", "a".repeat(10_000)),
        ("blocking a host with a space", "a b.example".into()),
    ] {
        let r = app
            .request(
                "PUT",
                &format!("/api/v1/me/blocks/instances/{host}"),
                token,
                None,
            )
            .await;
        s.status(name, &[400, 414], r.status);
    }
    let gets: Vec<(&str, String, Option<&str>, &[u16])> = vec![
        (
            "a post id past i64",
            "/api/v1/posts/99999999999999999999".into(),
            None,
            &[400],
        ),
        (
            "a post id of -1",
            "/api/v1/posts/-1".into(),
            None,
            &[400, 404],
        ),
        (
            "a post id that is text",
            "/api/v1/posts/abc".into(),
            None,
            &[400],
        ),
        (
            "limit 0",
            "/api/v1/groups/rust/posts?limit=0".into(),
            None,
            &[400],
        ),
        (
            "limit 101",
            "/api/v1/groups/rust/posts?limit=101".into(),
            None,
            &[400],
        ),
        (
            "limit -5",
            "/api/v1/groups/rust/posts?limit=-5".into(),
            None,
            &[400],
        ),
        (
            "a forged cursor",
            "/api/v1/groups/rust/posts?cursor=zzzz".into(),
            None,
            &[400],
        ),
        (
            "an unknown sort",
            "/api/v1/groups/rust/posts?sort=evil".into(),
            None,
            &[400],
        ),
        (
            "path traversal in a group",
            "/g/..%2F..%2Fetc%2Fpasswd".into(),
            None,
            &[400, 404],
        ),
        ("NUL in a person", "/u/%00".into(), None, &[400, 404]),
        (
            "WebFinger of NUL",
            "/.well-known/webfinger?resource=acct:%00".into(),
            None,
            &[400, 404],
        ),
        (
            "WebFinger of 10,000 characters",
            format!(
                "/.well-known/webfinger?resource=acct:{}@x",
                "a".repeat(10_000)
            ),
            None,
            &[400, 404, 414],
        ),
        (
            "a bearer token of 10,000 characters",
            "/api/v1/me".into(),
            Some("a"),
            &[401],
        ),
        (
            "no token where one is needed",
            "/api/v1/me".into(),
            None,
            &[401],
        ),
    ];
    let long_token = "t".repeat(10_000);
    for (name, path, token, expected) in gets {
        let token = token.map(|_| long_token.as_str());
        let r = app.get(&path, token).await;
        s.status(name, expected, r.status);
    }
    // Raw requests the JSON helper cannot make.
    // (name, path, content type, body, expected statuses)
    type RawCase<'a> = (&'a str, &'a str, &'a str, Vec<u8>, &'a [u16]);
    let raw: Vec<RawCase> = vec![
        (
            "text/plain to the API",
            "/api/v1/accounts",
            "text/plain",
            b"{}".to_vec(),
            &[415],
        ),
        (
            "invalid UTF-8 to the API",
            "/api/v1/accounts",
            "application/json",
            vec![0xff, 0xfe],
            &[400],
        ),
        (
            "JSON nested 5000 deep to the API",
            "/api/v1/accounts",
            "application/json",
            format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
            &[400],
        ),
        (
            "2 MiB to the API",
            "/api/v1/accounts",
            "application/json",
            format!("{{\"username\":\"{}\"}}", "a".repeat(2 << 20)).into_bytes(),
            &[413],
        ),
    ];
    for (name, path, content_type, body, expected) in raw {
        let r = app
            .client
            .post(format!("{}{path}", app.address))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        s.status(name, expected, r.status().as_u16());
    }
    let r = app
        .client
        .get(format!("{}/api/v1/me", app.address))
        .header("authorization", "Bearer \u{00e9}\u{00e9}")
        .send()
        .await
        .unwrap();
    s.status("a non-ASCII bearer token", &[400, 401], r.status().as_u16());
    // Nothing changed: one account, one post, one group.
    let groups = app.get("/api/v1/groups", None).await;
    s.check(
        "no group was made",
        groups.json["items"].as_array().map(Vec::len) == Some(1),
        &groups.text,
    );
    let posts = app.get("/api/v1/groups/rust/posts", None).await;
    s.check(
        "no post was made",
        posts.json["items"].as_array().map(Vec::len) == Some(1),
        &posts.text,
    );
    let health = app.get("/healthz", None).await;
    s.status("still answering", &[200], health.status);
    s.finish(45);
}

/// Page activities that must be refused and store nothing: a forged edit from someone who may
/// not edit, an edit to another group's page, an edit on an old revision, a lock by a member,
/// a page at a taken address, a page without markdown. A refusal the group can answer is a
/// `Reject` to the sender (with the reason); a malformed one is a 400.
#[tokio::test]
async fn forged_stale_and_misdirected_page_edits_store_nothing() {
    cohort::install_crypto_provider();
    let w = World::new().await;
    let app = &w.app;
    let mut s = Suite::default();
    let base = format!("http://{}", app.domain);
    let group = format!("{base}/g/rust");
    for (g, slug) in [("rust", "intro"), ("rust", "taken")] {
        let r = app
            .post(
                &format!("/api/v1/groups/{g}/pages"),
                Some(&w.token),
                json!({"title": slug, "slug": slug, "body": "The first text."}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    app.group(&w.token, "other").await;
    let r = app
        .post(
            "/api/v1/groups/other/pages",
            Some(&w.token),
            json!({"title": "Other intro", "slug": "intro", "body": "Other's text."}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let actor = w.actor_id();
    let mut n = 0;
    let mut activity = |kind: &str, group: &str, page: &str, base_rev: Option<i64>, body: &str| {
        n += 1;
        let mut object = json!({
            "type": "Article",
            "id": format!("{group}/pages/{page}"),
            "attributedTo": actor,
            "audience": group,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [group],
            "name": "A title",
            "content": format!("<p>{body}</p>"),
            "mediaType": "text/html",
            "source": {"content": body, "mediaType": "text/markdown"},
            "cohort:history": format!("{group}/pages/{page}/history"),
            "cohort:revision": base_rev.map_or(1, |b| b + 1),
        });
        if let Some(b) = base_rev {
            object["cohort:baseRevision"] = json!(b);
        }
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{actor}/page-activities/{n}"),
            "type": kind,
            "actor": actor,
            "audience": group,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [group],
            "object": object,
        })
    };
    let page_of = |g: &'static str, slug: &'static str| async move {
        app.get(&format!("/api/v1/groups/{g}/pages/{slug}"), None)
            .await
            .json
    };
    // A `Reject` of `activity` reaches the peer, with `reason`.
    let rejected = |id: String, reason: &'static str| {
        let peer = &w.peer;
        async move {
            peer.wait_for(&format!("Reject of {id}"), |b| {
                b["type"] == "Reject" && b["object"] == id.as_str()
            })
            .await
            .body["cohort:reason"]
                == reason
        }
    };

    // Not a member (the group lets members edit): refused.
    let a = activity("Update", &group, "intro", Some(1), "forged");
    s.status(
        "an edit by a non-member",
        &[202],
        w.send(&a, Tamper::default()).await,
    );
    let id = a["id"].as_str().unwrap().to_string();
    s.check(
        "a non-member's edit is rejected as forbidden",
        rejected(id, "forbidden").await,
        "no Reject",
    );
    let p = page_of("rust", "intro").await;
    s.check(
        "a non-member's edit stores nothing",
        p["revision"] == 1 && p["body"] == "The first text.",
        &p,
    );

    // The peer's person joins: its edit on the newest revision is saved (the control).
    let follow = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{actor}/follows/1"),
        "type": "Follow",
        "actor": actor,
        "object": group,
    });
    assert_eq!(w.send(&follow, Tamper::default()).await, 202);
    w.peer.wait_for("Accept", |b| b["type"] == "Accept").await;
    let a = activity("Update", &group, "intro", Some(1), "a member's edit");
    s.status(
        "a member's edit",
        &[202],
        w.send(&a, Tamper::default()).await,
    );
    let p = page_of("rust", "intro").await;
    s.check(
        "a member's edit is saved",
        p["revision"] == 2 && p["body"] == "a member's edit",
        &p,
    );

    // The same edit made on revision 1 again, now stale: a conflict, nothing stored.
    let a = activity("Update", &group, "intro", Some(1), "stale");
    s.status("a stale edit", &[202], w.send(&a, Tamper::default()).await);
    let id = a["id"].as_str().unwrap().to_string();
    s.check(
        "a stale edit is rejected as a conflict",
        rejected(id, "edit_conflict").await,
        "no Reject",
    );
    let p = page_of("rust", "intro").await;
    s.check(
        "a stale edit stores nothing",
        p["revision"] == 2 && p["body"] == "a member's edit",
        &p,
    );

    // An edit of another group's page sent as this group's (the page's id is not under the
    // group it names), and one whose object names another group than the activity.
    let mut a = activity("Update", &group, "intro", Some(1), "misdirected");
    a["object"]["id"] = json!(format!("{base}/g/other/pages/intro"));
    s.status(
        "an edit of another group's page",
        &[400],
        w.send(&a, Tamper::default()).await,
    );
    let mut a = activity("Update", &group, "intro", Some(2), "two groups");
    a["object"]["audience"] = json!(format!("{base}/g/other"));
    s.status(
        "an object of another group than its activity",
        &[400],
        w.send(&a, Tamper::default()).await,
    );
    let other = page_of("other", "intro").await;
    s.check(
        "another group's page is untouched",
        other["revision"] == 1 && other["body"] == "Other's text.",
        &other,
    );

    // The page's own text again: nothing stored, and the sender told so.
    let a = activity("Update", &group, "intro", Some(2), "a member's edit");
    s.status(
        "an edit that changes nothing",
        &[202],
        w.send(&a, Tamper::default()).await,
    );
    let id = a["id"].as_str().unwrap().to_string();
    s.check(
        "an edit that changes nothing is answered as unchanged",
        rejected(id, "unchanged").await,
        "no Reject",
    );
    let p = page_of("rust", "intro").await;
    s.check(
        "an edit that changes nothing saves nothing",
        p["revision"] == 2,
        &p,
    );

    // A member's lock (only moderators lock): refused, not locked.
    let mut a = activity("Update", &group, "intro", Some(2), "a member's edit");
    a["object"]["cohort:locked"] = json!(true);
    s.status(
        "a member's lock",
        &[202],
        w.send(&a, Tamper::default()).await,
    );
    let id = a["id"].as_str().unwrap().to_string();
    s.check(
        "a member's lock is rejected",
        rejected(id, "forbidden").await,
        "no Reject",
    );
    let p = page_of("rust", "intro").await;
    s.check("a member's lock locks nothing", p["locked"] == false, &p);

    // A new page where one is: refused, the page as it was.
    let a = activity("Create", &group, "taken", None, "taken over");
    s.status(
        "a page at a taken slug",
        &[202],
        w.send(&a, Tamper::default()).await,
    );
    let id = a["id"].as_str().unwrap().to_string();
    s.check(
        "a page at a taken slug is rejected",
        rejected(id, "name_taken").await,
        "no Reject",
    );
    let p = page_of("rust", "taken").await;
    s.check(
        "the taken page is untouched",
        p["revision"] == 1 && p["body"] == "The first text.",
        &p,
    );

    // A page written in the name of someone else, and one with HTML but no markdown.
    let mut a = activity("Create", &group, "impostor", None, "by bob?");
    a["object"]["attributedTo"] = json!(format!("{base}/u/bob"));
    s.status(
        "a new page attributed to another",
        &[400, 401, 403],
        w.send(&a, Tamper::default()).await,
    );
    let mut a = activity("Create", &group, "html-only", None, "html");
    a["object"]["source"]["mediaType"] = json!("text/html");
    s.status(
        "a page without markdown",
        &[400],
        w.send(&a, Tamper::default()).await,
    );
    for slug in ["impostor", "html-only"] {
        let r = app
            .get(&format!("/api/v1/groups/rust/pages/{slug}"), None)
            .await;
        s.status(&format!("no page {slug} was made"), &[404], r.status);
    }
    s.finish(20);
}

/// A members-only group leaks nothing to a server without an approved member: not by an
/// unsigned or a signed fetch, not by a reply or an early Follow; once its person is approved,
/// that server may fetch, and its person's replies enter only when they are not public.
#[tokio::test]
async fn members_only_groups_leak_nothing_to_outsiders() {
    cohort::install_crypto_provider();
    let w = World::new().await;
    let app = &w.app;
    let mut s = Suite::default();
    app.members_only_group(&w.token, "team").await;
    let post = app
        .post_in(&w.token, "team", "Team plans", "Inside only.")
        .await;
    let reply = app
        .reply_to(&w.token, id(&post), None, "Inside reply.")
        .await;
    let post_ap = post["ap_id"].as_str().unwrap().to_string();
    let group = format!("http://{}/g/team", app.domain);
    let (actor, key) = (w.actor_id(), w.key_id());
    let paths = [
        format!("/posts/{}", id(&post)),
        format!("/posts/{}/activity", id(&post)),
        format!("/posts/{}/replies", id(&post)),
        format!("/replies/{}", id(&reply)),
        "/g/team/outbox".to_string(),
        "/g/team/featured".to_string(),
    ];
    let fetches = |label: &'static str, expected: u16| {
        let (w, paths, key) = (&w, &paths, &key);
        async move {
            let mut out = vec![];
            for path in paths {
                let (status, body) = w.peer.signed_get(&w.app, path, key).await;
                out.push((format!("{label} {path}"), status == expected, status, body));
            }
            out
        }
    };
    for path in &paths {
        let r = app
            .client
            .get(format!("{}{path}", app.address))
            .header("accept", "application/activity+json")
            .send()
            .await
            .unwrap();
        s.status(
            &format!("an unsigned fetch of {path}"),
            &[404],
            r.status().as_u16(),
        );
    }
    for (name, ok, status, body) in fetches("a non-member server's signed fetch of", 404).await {
        s.check(
            &name,
            ok && !body.contains("Inside"),
            format_args!("got {status}: {body}"),
        );
    }

    // A reply by someone who is not a member: refused, nothing stored.
    let reply_by = |tag: &str, public: bool| {
        let mut a = w.reply_activity(tag);
        a["object"]["inReplyTo"] = json!(post_ap);
        a["object"]["inReplyToAtomUri"] = json!(post_ap);
        let to = if public {
            json!(["https://www.w3.org/ns/activitystreams#Public"])
        } else {
            json!([format!("{actor}/followers")])
        };
        a["to"] = to.clone();
        a["object"]["to"] = to;
        a["cc"] = json!([group]);
        a["object"]["cc"] = json!([group]);
        a
    };
    let a = reply_by("mo1", false);
    s.status(
        "a non-member's reply in a members-only group",
        &[403],
        w.send(&a, Tamper::default()).await,
    );
    s.check(
        "a non-member's reply stores nothing",
        !w.stored(a["object"]["id"].as_str().unwrap()).await,
        "stored",
    );

    // A Follow is held: no Accept until a moderator approves.
    let follow_id = format!("{actor}#members-follow");
    let follow = json!({"@context": "https://www.w3.org/ns/activitystreams", "type": "Follow",
        "id": follow_id, "actor": actor, "object": group});
    s.status(
        "a Follow of a members-only group",
        &[200, 202],
        w.send(&follow, Tamper::default()).await,
    );
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    s.check(
        "no Accept before a moderator approves",
        !w.peer
            .received()
            .iter()
            .any(|r| r.body["type"] == "Accept" && r.body["object"]["id"] == follow_id.as_str()),
        "accepted at once",
    );
    for (name, ok, status, body) in fetches("a waiting follower's signed fetch of", 404).await {
        s.check(&name, ok, format_args!("got {status}: {body}"));
    }
    let r = app
        .post(
            &format!("/api/v1/groups/team/requests/{}", urlencode(&actor)),
            Some(&w.token),
            json!({}),
        )
        .await;
    s.status("a moderator approves", &[204], r.status);
    w.peer
        .wait_for("the Accept", |b| {
            b["type"] == "Accept" && b["object"]["id"] == follow_id.as_str()
        })
        .await;
    for (name, ok, status, body) in fetches("a member's server's signed fetch of", 200).await {
        s.check(&name, ok, format_args!("got {status}: {body}"));
    }

    // A member's reply addressed to Public is refused; to the followers, it enters.
    let a = reply_by("mo2", true);
    s.status(
        "a member's public reply in a members-only group",
        &[400],
        w.send(&a, Tamper::default()).await,
    );
    s.check(
        "a public reply stores nothing",
        !w.stored(a["object"]["id"].as_str().unwrap()).await,
        "stored",
    );
    let a = reply_by("mo3", false);
    s.status(
        "a member's followers-only reply",
        &[200, 202],
        w.send(&a, Tamper::default()).await,
    );
    s.check(
        "a member's reply is stored",
        w.stored(a["object"]["id"].as_str().unwrap()).await,
        "not stored",
    );
    s.finish(18);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
