//! The fuzz targets' committed corpus (`fuzz/seeds/<target>/`) and minimised crashes
//! (`fuzz/regressions/<target>/`), replayed through `cohort::fuzzing` as ordinary tests, so CI
//! checks them without cargo-fuzz or a nightly compiler. Each input must go through without a
//! panic, and the seeds must still reach what they were written to reach (a seed that stopped
//! parsing would quietly make the fuzzing shallower).

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    path::PathBuf,
};

use cohort::fuzzing::{self, ActivityReached, SignatureReached};

/// The files of `fuzz/<dir>`, sorted by name; none when it does not exist.
fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(dir);
    let Ok(entries) = std::fs::read_dir(&root) else {
        return Vec::new();
    };
    let mut out: Vec<(String, Vec<u8>)> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Runs `f` on `data`, naming the file in the failure.
fn run<T>(dir: &str, name: &str, data: &[u8], f: impl Fn(&[u8]) -> T) -> T {
    match catch_unwind(AssertUnwindSafe(|| f(data))) {
        Ok(r) => r,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("fuzz/{dir}/{name} panicked: {msg}");
        }
    }
}

#[test]
fn activity_seeds_replay_and_parse() {
    let seeds = files("seeds/activity");
    assert!(seeds.len() >= 100, "only {} activity seeds", seeds.len());
    let mut objects = 0;
    for (name, data) in &seeds {
        let r: ActivityReached = run("seeds/activity", name, data, fuzzing::activity_reached);
        objects += r.objects_checked;
        // Every fixture from a real server is something Cohort reads.
        if !name.starts_with("edge_") {
            assert!(
                r.inbox_activity || r.object || r.actor,
                "fuzz/seeds/activity/{name} no longer parses as anything"
            );
        }
    }
    assert!(
        objects >= 50,
        "only {objects} objects reached the content checks"
    );
    let edge = |name: &str| {
        let (_, data) = seeds.iter().find(|(n, _)| n == name).unwrap();
        fuzzing::activity_reached(data)
    };
    assert!(edge("edge_xss_note.json").objects_checked >= 1);
    assert!(edge("edge_announce_create_page.json").objects_checked >= 1);
    assert!(edge("edge_update_extreme_dates.json").inbox_activity);
    assert!(edge("edge_actor_minimal.json").actor);
}

#[test]
fn signature_seeds_replay_and_reach_verification() {
    let seeds = files("seeds/signature");
    assert!(seeds.len() >= 15, "only {} signature seeds", seeds.len());
    let mut reached: Vec<(String, SignatureReached)> = Vec::new();
    for (name, data) in &seeds {
        let r = run("seeds/signature", name, data, fuzzing::signature_reached);
        reached.push((name.clone(), r));
    }
    let get = |name: &str| {
        reached
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no seed {name}"))
            .1
            .clone()
    };
    // Signed with the fuzzing key: the whole RFC 9421 path, verification included.
    for name in [
        "rfc9421_mastodon_post",
        "rfc9421_mastodon_post_alg",
        "rfc9421_pss_sha512",
        "rfc9421_path_query_host_sha512",
        "rfc9421_request_target_authority",
    ] {
        let r = get(name);
        assert!(r.rfc9421.is_some() && r.verified, "{name}: {r:?}");
    }
    let r = get("rfc9421_signed_get");
    assert!(r.rfc9421_without_body.is_some() && r.verified, "{r:?}");
    // A body that does not match its Content-Digest is refused; the same headers without a
    // body (nothing to bind) would pass, which is why the inbox passes every POST's body.
    let r = get("rfc9421_body_mismatch");
    assert!(
        r.rfc9421.is_none() && r.rfc9421_without_body.is_some(),
        "{r:?}"
    );
    // The RFC's own example parses (it is signed with the RFC's key, not ours).
    let r = get("rfc9421_b23_full_coverage");
    assert_eq!(r.rfc9421.as_deref(), Some("test-key-rsa-pss"));
    assert!(!r.verified);
    // Draft-cavage, dated now: parsed up to the (failing) verification.
    for name in [
        "cavage_mastodon_rsa_sha256",
        "cavage_lemmy_hs2019",
        "cavage_nodebb_no_algorithm",
        "cavage_gotosocial_main_key",
        "cavage_authorization_header",
        "cavage_created_expires",
    ] {
        let r = get(name);
        assert!(r.cavage_post.is_some() && r.digest_ok, "{name}: {r:?}");
    }
    assert!(get("cavage_signed_get").cavage_fetch.is_some());
    assert!(get("cavage_get_created_only").cavage_fetch.is_some());
    // Refused where they should be.
    for name in [
        "cavage_stale_date",
        "cavage_hmac_algorithm",
        "cavage_missing_fields",
        "rfc9421_expired",
        "rfc9421_malformed_fields",
        "rfc9421_unsupported_derived",
        "rfc9421_b21_b22_refused",
    ] {
        let r = get(name);
        assert!(
            r.cavage_post.is_none()
                && r.cavage_fetch.is_none()
                && r.rfc9421.is_none()
                && r.rfc9421_without_body.is_none()
                && !r.verified,
            "{name}: {r:?}"
        );
    }
    assert!(!get("cavage_digest_mismatch").digest_ok);
}

#[test]
fn regressions_replay() {
    for (dir, target) in [
        ("regressions/activity", fuzzing::activity as fn(&[u8])),
        ("regressions/signature", fuzzing::signature as fn(&[u8])),
    ] {
        for (name, data) in files(dir) {
            run(dir, &name, &data, target);
        }
    }
}
