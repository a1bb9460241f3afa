//! Sets up the scale-out benchmark (`scripts/bench-scale.sh`) on a running `nats-server -js`:
//! streams `IN` (`in.routine`) and `OUT` (`out.>`, a 10-minute duplicate window) made anew, and
//! COUNT generated bundles of about BYTES each published to `in.routine`, or (`count OUT`) the
//! number of messages in a stream.
//! `cargo run --release --example jetstream_feed -- 127.0.0.1:4222 fill COUNT BYTES`

use async_nats::jetstream::{self, stream};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let (url, rest) = match args.as_slice() {
            [_, url, rest @ ..] => (url, rest),
            _ => return Err("usage: jetstream_feed HOST:PORT (fill COUNT BYTES | count STREAM)".into()),
        };
        let js = jetstream::new(async_nats::connect(url.as_str()).await?);
        match rest {
            [cmd, count, bytes] if cmd == "fill" => {
                let (count, bytes): (u64, usize) = (count.parse()?, bytes.parse()?);
                for name in ["IN", "OUT"] {
                    let _ = js.delete_stream(name).await;
                }
                js.create_stream(stream::Config {
                    name: "IN".into(),
                    subjects: vec!["in.routine".into()],
                    ..Default::default()
                })
                .await?;
                js.create_stream(stream::Config {
                    name: "OUT".into(),
                    subjects: vec!["out.>".into()],
                    duplicate_window: std::time::Duration::from_secs(600),
                    ..Default::default()
                })
                .await?;
                let mut acks = Vec::new();
                for k in 0..count {
                    let text = sekisho::synth::bundle_of_size(k + 1, bytes, |r| Some(r.below(5) as usize));
                    acks.push(js.publish("in.routine", text.into()).await?);
                    if acks.len() >= 512 {
                        for a in acks.drain(..) {
                            a.await?;
                        }
                    }
                }
                for a in acks {
                    a.await?;
                }
                Ok(())
            }
            [cmd, name] if cmd == "count" => {
                let n = js.get_stream(name.as_str()).await?.get_info().await?.state.messages;
                println!("{n}");
                Ok(())
            }
            _ => Err("usage: jetstream_feed HOST:PORT (fill COUNT BYTES | count STREAM)".into()),
        }
    })
}
