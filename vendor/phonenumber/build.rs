use std::env;
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

#[path = "src/metadata/loader.rs"]
mod loader;

#[path = "src/error.rs"]
mod error;

fn main() {
    let pnm_path = "assets/PhoneNumberMetadata.xml";
    let metadata = loader::load(BufReader::new(
        File::open(pnm_path).expect("could not open metadata file"),
    ))
    .expect("failed to load metadata");
    println!("cargo:rerun-if-changed={pnm_path}");

    // PATCHED (sekisho): every regular expression of the metadata is compiled here, as the
    // library compiles it when it is first used (`ignore_whitespace`), so that the embedded
    // database needs no syntax check at run time (see `metadata::database::DEFAULT`).
    for pattern in patterns(&metadata) {
        if let Err(e) = regex::RegexBuilder::new(pattern)
            .ignore_whitespace(true)
            .build()
        {
            panic!("metadata regular expression `{pattern}` does not compile: {e}");
        }
    }

    let mut out = BufWriter::new(
        File::create(Path::new(&env::var("OUT_DIR").unwrap()).join("database.bin"))
            .expect("could not create database file"),
    );

    postcard::to_io(&metadata, &mut out).expect("failed to serialize database");
}

/// PATCHED (sekisho): every string of the metadata that `Database::from` turns into a regular
/// expression.
fn patterns(metadata: &[loader::Metadata]) -> Vec<&str> {
    let mut out = Vec::new();
    for meta in metadata {
        let descriptors = [
            &meta.general,
            &meta.fixed_line,
            &meta.mobile,
            &meta.toll_free,
            &meta.premium_rate,
            &meta.shared_cost,
            &meta.personal_number,
            &meta.voip,
            &meta.pager,
            &meta.uan,
            &meta.emergency,
            &meta.voicemail,
            &meta.short_code,
            &meta.standard_rate,
            &meta.carrier,
            &meta.no_international,
        ];
        for d in descriptors.into_iter().flatten() {
            out.extend(d.national_number.as_deref());
        }
        out.extend(meta.international_prefix.as_deref());
        out.extend(meta.national_prefix_for_parsing.as_deref());
        out.extend(meta.leading_digits.as_deref());
        for f in meta.formats.iter().chain(&meta.international_formats) {
            out.extend(f.pattern.as_deref());
            out.extend(f.leading_digits.iter().map(String::as_str));
        }
    }
    out
}
