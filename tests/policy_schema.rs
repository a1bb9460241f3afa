//! The committed JSON Schema of rule files is the one the loader's types generate.

#[test]
fn committed_schema_matches_the_loader_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/policy.schema.json");
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == sekisho::policy::Policy::json_schema(),
        "policies/policy.schema.json is stale: run `cargo run -- policy schema > policies/policy.schema.json`"
    );
}
