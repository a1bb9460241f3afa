//! A channel whose source is a JetStream stream and whose output is a JetStream subject, against
//! a real `nats-server -js` (issue 20, https: see `issues show 20`).

mod nats_support;

use std::process::Stdio;
use std::time::Duration;

use async_nats::jetstream;
use nats_support::*;

fn releasable(seed: u64) -> Vec<u8> {
    sekisho::synth::bundle(seed, 3, |r| Some(r.below(2) as usize)).into_bytes()
}
fn red(seed: u64) -> Vec<u8> {
    sekisho::synth::bundle(seed, 3, |_| Some(4)).into_bytes()
}

fn run_once(guard: &Guard) -> std::process::Output {
    guard.command(true).stdin(Stdio::null()).output().unwrap()
}

#[test]
fn releases_to_a_subject_with_the_output_hash_as_msg_id_and_acks_every_message() {
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    let mut messages: Vec<Vec<u8>> = (0..20).map(releasable).collect();
    messages.extend((100..105).map(red));
    messages.push(b"{\"type\":\"bundle\"".to_vec());
    messages.push(b"   ".to_vec());
    nats.publish("in.routine", &messages);

    let root = tempfile::tempdir().unwrap();
    let guard = Guard::new(root.path(), "g1", &nats, "verifier = false", "");
    let out = run_once(&guard);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));

    // Every message acked: nothing pending on the shared consumer.
    assert_eq!(nats.consumer_state("guards"), (0, 0));
    // 20 released, each under Nats-Msg-Id = sha-256 of the output.
    let outputs = nats.read_stream("OUT");
    assert_eq!(outputs.len(), 20);
    for (id, payload) in &outputs {
        assert_eq!(id.as_deref(), Some(sha256(payload).as_str()));
    }
    // 7 quarantined, with their bytes, one audit record per message.
    let records = guard.records();
    assert_eq!(records.len(), 27);
    let released: Vec<_> = records.iter().filter(|r| r["verdict"] == "released").collect();
    assert_eq!(released.len(), 20);
    let mut out_shas: Vec<String> = outputs.iter().map(|(_, p)| sha256(p)).collect();
    let mut rec_shas: Vec<String> = released
        .iter()
        .map(|r| r["output_sha256"].as_str().unwrap().to_string())
        .collect();
    out_shas.sort();
    rec_shas.sort();
    assert_eq!(out_shas, rec_shas);
    assert!(
        records
            .iter()
            .all(|r| r["input"].as_str().unwrap().starts_with("nats/IN/"))
    );
    let q = guard.quarantined();
    assert_eq!(q.len(), 7);
    assert!(q.iter().any(|(_, b)| b == b"   "));
    assert!(records.iter().any(|r| r["reason"] == "empty"));
    assert!(records.iter().any(|r| r["reason"] == "parse-error"));

    // A second run finds nothing to do: nothing was left for redelivery.
    let out = run_once(&guard);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(guard.records().len(), 27);
    assert_eq!(nats.read_stream("OUT").len(), 20);
}

#[test]
fn publishing_the_same_output_again_is_dropped_by_the_duplicate_window() {
    // What a guard killed after publishing and before its ack does on redelivery: the same
    // output, the same Nats-Msg-Id, one message in the stream.
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    nats.publish("in.routine", &[releasable(7)]);
    let root = tempfile::tempdir().unwrap();
    let a = Guard::new(root.path(), "a", &nats, "verifier = false", "");
    assert_eq!(run_once(&a).status.code(), Some(0));
    // The same input again (as a redelivery would bring it) to another guard.
    nats.publish("in.routine", &[releasable(7)]);
    let b = Guard::new(root.path(), "b", &nats, "verifier = false", "");
    assert_eq!(run_once(&b).status.code(), Some(0));
    assert_eq!(b.records().len(), 1);
    assert_eq!(b.records()[0]["verdict"], "released");
    assert_eq!(nats.read_stream("OUT").len(), 1, "the republish was not dropped");
}

#[test]
fn the_urgent_lane_is_fetched_first() {
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    nats.publish("in.routine", &(0..200).map(releasable).collect::<Vec<_>>());
    nats.publish("in.urgent", &(1000..1005).map(releasable).collect::<Vec<_>>());
    let root = tempfile::tempdir().unwrap();
    let guard = Guard::new(
        root.path(),
        "g1",
        &nats,
        "verifier = false\nworkers = 1",
        "urgent_subject = \"in.urgent\"\nurgent_consumer = \"guards-urgent\"",
    );
    let out = run_once(&guard);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records = guard.records();
    assert_eq!(records.len(), 205);
    let lanes: Vec<&str> = records.iter().map(|r| r["lane"].as_str().unwrap()).collect();
    assert_eq!(
        lanes[..5],
        ["urgent"; 5],
        "urgent messages were not decided first: {lanes:?}"
    );
    assert_eq!(nats.consumer_state("guards"), (0, 0));
    assert_eq!(nats.consumer_state("guards-urgent"), (0, 0));
}

#[test]
fn quarantines_a_message_past_max_deliveries_as_undeliverable_unparsed() {
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    let poison = releasable(42);
    nats.publish("in.routine", std::slice::from_ref(&poison));
    // Two deliveries that were never acked (as two guards killed while deciding it would).
    nats.rt.block_on(async {
        use futures_util::StreamExt;
        let stream = nats.js.get_stream("IN").await.unwrap();
        let consumer: jetstream::consumer::PullConsumer = stream
            .create_consumer(jetstream::consumer::pull::Config {
                durable_name: Some("guards".into()),
                filter_subject: "in.routine".into(),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: Duration::from_millis(300),
                max_deliver: -1,
                ..Default::default()
            })
            .await
            .unwrap();
        for _ in 0..2 {
            let mut b = consumer.fetch().max_messages(1).messages().await.unwrap();
            assert!(b.next().await.is_some());
            while b.next().await.is_some() {}
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let root = tempfile::tempdir().unwrap();
    let guard = Guard::new(root.path(), "g1", &nats, "verifier = false", "max_deliveries = 2");
    let out = run_once(&guard);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let records = guard.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["reason"], "undeliverable");
    assert_eq!(records[0]["rules"][0], "undeliverable");
    // Kept whole, never dropped; nothing released; acked.
    let q = guard.quarantined();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].1, poison);
    assert!(nats.read_stream("OUT").is_empty());
    assert_eq!(nats.consumer_state("guards"), (0, 0));
}

#[test]
fn refuses_a_jetstream_channel_without_a_guard_id() {
    let root = tempfile::tempdir().unwrap();
    let cfg = format!(
        "[[channel]]\nname = \"c\"\ninbox = \"in\"\nquarantine = \"q\"\naudit = \"a.jsonl\"\n\
         [channel.jetstream]\nurl = \"nats://127.0.0.1:4222\"\nstream = \"IN\"\nsubject = \"in.routine\"\nconsumer = \"g\"\n\
         [[channel.route]]\nname = \"jpn\"\npolicy = \"{}\"\noutput = \"nats://127.0.0.1:4222/out.jpn\"\n",
        policy().display()
    );
    let path = root.path().join("s.toml");
    std::fs::write(&path, cfg).unwrap();
    let e = sekisho::daemon::Config::load(&path).unwrap_err().to_string();
    assert!(e.contains("guard_id"), "{e}");
}

#[test]
fn the_connector_thread_is_confined_and_still_fetches_and_publishes() {
    // The sandbox still holds: the connection was made before the channel confined itself; the
    // thread that drives it (`c-nats`) started after, so the kernel has it under the channel's
    // seccomp filter (no new socket, no connect), and it still fetches, publishes and acks.
    let Some(nats) = Nats::start() else { return };
    nats.make_streams();
    nats.publish("in.routine", &[releasable(1), releasable(2)]);
    let root = tempfile::tempdir().unwrap();
    let guard = Guard::new(
        root.path(),
        "g1",
        &nats,
        "verifier = false\nsandbox = \"best-effort\"",
        "",
    );
    let mut child = guard.spawn();
    let start = std::time::Instant::now();
    while guard.records().len() < 2 {
        assert!(start.elapsed() < Duration::from_secs(30), "no records");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut found = None;
    for task in std::fs::read_dir(format!("/proc/{}/task", child.id())).unwrap() {
        let task = task.unwrap().path();
        if std::fs::read_to_string(task.join("comm")).unwrap_or_default().trim() == "c-nats" {
            found = Some(std::fs::read_to_string(task.join("status")).unwrap());
        }
    }
    // A message is acknowledged after its audit record is durable: wait for the acks (a busy
    // machine can be between the two) before stopping the guard.
    let start = std::time::Instant::now();
    while nats.consumer_state("guards") != (0, 0) && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let status = found.expect("no connector thread `c-nats`");
    let seccomp = status.lines().find(|l| l.starts_with("Seccomp:")).unwrap();
    assert_eq!(
        seccomp.split_whitespace().nth(1),
        Some("2"),
        "the connector thread is not confined: {seccomp}"
    );
    assert_eq!(nats.read_stream("OUT").len(), 2);
    assert_eq!(nats.consumer_state("guards"), (0, 0));
}

#[test]
fn a_guard_that_loses_its_connection_stops_instead_of_reconnecting_unconfined() {
    // Confined, the connector cannot make a new socket: losing the server stops the channel
    // with an error (a service manager restarts it; unacked messages go to other guards).
    let Some(mut nats) = Nats::start() else { return };
    nats.make_streams();
    nats.publish("in.routine", &[releasable(3)]);
    let root = tempfile::tempdir().unwrap();
    let guard = Guard::new(root.path(), "g1", &nats, "verifier = false", "");
    let mut child = guard.spawn();
    let start = std::time::Instant::now();
    while guard.records().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(30), "no records");
        std::thread::sleep(Duration::from_millis(50));
    }
    nats.stop_server();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("the guard did not stop after losing its connection");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_ne!(status.code(), Some(0));
    let log = std::fs::read_to_string(guard.dir.join("stderr.log")).unwrap();
    assert!(log.contains("lost the connection"), "{log}");
}
