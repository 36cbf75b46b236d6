//! The deployment files agree with the configuration the binary reads: every `COHORT_*`
//! variable they name is a real key, and the configuration they embed loads. (`deploy/check`
//! runs the linters; this catches drift when a key is renamed.)

use std::path::{Path, PathBuf};

use cohort::Config;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every `COHORT_…` word in `text` (upper case, as a variable is written).
fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("COHORT_") {
        let word: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        rest = &rest[i + word.len()..];
        let word = word.trim_end_matches('_').to_string();
        if word != "COHORT" {
            out.push(word);
        }
    }
    out
}

#[test]
fn every_variable_the_deployment_files_name_is_a_configuration_key() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let known: Vec<String> = Config::keys().into_iter().map(|(_, var)| var).collect();
    let mut paths = Vec::new();
    files(&root.join("deploy"), &mut paths);
    paths.push(root.join("README.md"));
    let mut checked = 0;
    for path in paths {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        // The README's placeholder for "section.key is COHORT_SECTION_KEY".
        for var in variables(&text)
            .into_iter()
            .filter(|v| v != "COHORT_SECTION_KEY")
        {
            assert!(
                known.contains(&var),
                "{} names {var}, which is not a configuration variable (known: {known:?})",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(
        checked > 10,
        "only {checked} variables found: is deploy/ there?"
    );
}

#[test]
fn the_kubernetes_config_map_holds_a_configuration_that_loads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let yaml = std::fs::read_to_string(root.join("deploy/kubernetes/configmap.yaml")).unwrap();
    let toml: String = yaml
        .lines()
        .skip_while(|l| l.trim() != "cohort.toml: |")
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    assert!(toml.contains("domain"), "no cohort.toml block found");
    let config = Config::from_sources(Some(("configmap.yaml", &toml)), [])
        .unwrap_or_else(|e| panic!("{e}\n{toml}"));
    assert_eq!(config.domain, "example.org");
    // As the pods run it: the image's listen address and the Secret's database URL on top.
    let config = Config::from_sources(
        Some(("configmap.yaml", &toml)),
        [
            ("COHORT_LISTEN".to_string(), "0.0.0.0:8080".to_string()),
            (
                "COHORT_DATABASE_URL".to_string(),
                "postgres://cohort:secret@postgres:5432/cohort".to_string(),
            ),
        ],
    )
    .unwrap();
    assert!(config.database.url.starts_with("postgres://"));
}

#[test]
fn variables_are_found_in_text() {
    assert_eq!(
        variables("a COHORT_DOMAIN=x ${COHORT_LOG_FORMAT:-text} COHORT_ and cohort_lower"),
        ["COHORT_DOMAIN", "COHORT_LOG_FORMAT"]
    );
}
