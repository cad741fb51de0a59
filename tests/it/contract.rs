//! The API's contract, checked by a client written by others: schemathesis reads
//! `/api/openapi.json`, generates valid and invalid requests for every operation, and checks
//! every answer against the document (status codes, bodies, content types, and that invalid
//! input is refused). Runs against the demo, on each database the suite runs on: ten cases
//! per operation on each, from a seed of each database's own, so that the two runs together
//! try twenty different cases per operation in the time one run of twenty took (schemathesis
//! keeps a whole core busy for as long as it runs, which set the suite's wall time).

use crate::harness::TestApp;
use serde_json::Value;
use std::path::PathBuf;

fn schemathesis() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/schemathesis");
    assert!(
        path.exists(),
        "schemathesis is not installed: run scripts/test (it installs the pinned version into .venv)"
    );
    path
}

fn seed_for(backend: &str) -> &'static str {
    if backend == "postgres" {
        "20261207"
    } else {
        "20261130"
    }
}

#[tokio::test]
async fn schemathesis_finds_the_openapi_document_true_of_every_operation() {
    let t = TestApp::spawn().await;
    t.app.load_demo().await.expect("demo");
    let token = t.token_for_demo("gildong_hong").await;
    let doc: Value = reqwest::get(t.url("/api/openapi.json"))
        .await
        .expect("document")
        .json()
        .await
        .expect("json");
    let operations: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |methods| methods.len()))
        .sum();

    // Its example database stays in a directory of its own, so that each run starts afresh.
    let workdir = tempfile::tempdir().expect("tempdir");
    let config = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/contract/schemathesis.toml");
    let out = tokio::process::Command::new(schemathesis())
        .current_dir(workdir.path())
        .env("NO_COLOR", "1")
        .arg("--config-file")
        .arg(&config)
        .args(["run", &t.url("/api/openapi.json"), "--checks", "all"])
        // A fixed seed: the same cases on every run, so that a failure can be replayed. One
        // worker: with two, Hypothesis parses lambdas' sources in both threads at once, and
        // Python 3.11 keeps the AST builder's depth counter per interpreter, not per thread
        // (CPython gh-106905), so a run could fail with "AST constructor recursion depth
        // mismatch" — a fault of the tool, not of the API.
        .args([
            "--seed",
            seed_for(crate::harness::backend()),
            "--workers",
            "1",
        ])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .output()
        .await
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found the document untrue:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        report.contains(&format!("Tested: {operations}")),
        "every one of the {operations} operations is tested:\n{report}"
    );
}
