//! A meeting's votes under load and through a crash, on the real server over loopback: 300
//! phones joining and voting at once end with exactly 300 ballots and the right totals; a
//! laptop killed (SIGKILL) while phones vote comes back with every ballot it acknowledged.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use sigida_core::meeting::{AgeGroup, Participant, Question, QuestionKind, Sex, tally};
use sigida_core::{Id, Timestamp};
use sigida_store::Store;
use support::{DemoServer, agent};

const PHONES: usize = 300;
const OPTIONS: [&str; 3] = ["eau", "emploi", "papiers"];

fn now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

/// Joins with a code and returns the phone's cookie.
fn join(base: &str, code: &str) -> Option<String> {
    let r = agent()
        .post(&format!("{base}/v"))
        .send_form(&[("code", code)])
        .ok()?;
    (r.status() == 303).then(|| {
        r.header("set-cookie")
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    })
}

/// Votes; `Ok` when the server acknowledged the ballot, else what it answered.
fn vote(base: &str, cookie: &str, question: Id<Question>, option: &str) -> Result<(), String> {
    let reply = agent()
        .post(&format!("{base}/v/ballot"))
        .set("Cookie", cookie)
        .send_form(&[("question", &question.to_string()), ("option", option)]);
    match reply {
        Ok(r) if r.status() == 303 && r.header("location").is_some_and(|l| l.contains("saved")) => {
            Ok(())
        }
        Ok(r) => Err(format!("{} {:?}", r.status(), r.header("location"))),
        Err(ureq::Error::Status(code, r)) => {
            Err(format!("{code} {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[test]
fn three_hundred_phones_vote_at_once_and_a_killed_laptop_keeps_every_acknowledged_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = DemoServer::start(dir.path());
    let runtime = tokio::runtime::Runtime::new().unwrap();

    // The register and two open questions, as the facilitator's screen writes them.
    let (meeting, first, second, codes) = runtime.block_on(async {
        let store = Store::open_dir(dir.path()).await.unwrap();
        let (_, diboli) = support::diagnostic_and_community(&store, "diboli").await;
        let meeting = store.meetings(diboli.id).await.unwrap().remove(0);
        let question = |position: i64| Question {
            id: Id::new(),
            meeting_id: meeting.id,
            position,
            kind: QuestionKind::Choice,
            prompt: format!("Question {position}"),
            options: OPTIONS.map(String::from).to_vec(),
            finding_id: None,
            open: true,
        };
        let (first, second) = (question(10), question(11));
        let mut codes = Vec::new();
        let mut tx = store.begin().await.unwrap();
        for i in 0..PHONES {
            let code = format!("T{i:05}");
            tx.insert_participant(&Participant {
                id: Id::new(),
                meeting_id: meeting.id,
                name: None,
                sex: if i.is_multiple_of(2) {
                    Sex::Female
                } else {
                    Sex::Male
                },
                age_group: AgeGroup::Youth,
                stakeholder_type: None,
                group: None,
                organisation: String::new(),
                consent: true,
                checked_in_at: Some(now()),
                check_code: code.clone(),
            })
            .await
            .unwrap();
            codes.push(code);
        }
        tx.insert_question(&first).await.unwrap();
        tx.insert_question(&second).await.unwrap();
        // Opened to phones, as opening a question on the facilitator's screen does.
        tx.set_phones_open_until(meeting.id, now().plus_seconds(3600))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        store.close().await;
        (meeting, first, second, codes)
    });

    // 300 phones join, then vote at the same instant.
    let barrier = Arc::new(Barrier::new(PHONES));
    let started = std::time::Instant::now();
    let cookies: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let barrier = barrier.clone();
                let base = server.base.clone();
                let question = first.id;
                scope.spawn(move || {
                    let cookie = join(&base, code).expect("a registered code joins");
                    barrier.wait();
                    if let Err(why) = vote(&base, &cookie, question, OPTIONS[i % 3]) {
                        panic!("ballot {i}: {why}");
                    }
                    cookie
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // A figure for the README, not a limit: the machine's load decides it.
    eprintln!(
        "{PHONES} phones joined and voted in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    runtime.block_on(async {
        let store = Store::open_dir(dir.path()).await.unwrap();
        let ballots: Vec<_> = store
            .ballots(meeting.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.question_id == first.id)
            .collect();
        assert_eq!(ballots.len(), PHONES, "exactly one ballot per phone");
        let participants = store.participants(meeting.id).await.unwrap();
        let t = tally(&first, &ballots, &participants, &[]);
        for row in &t.overall {
            assert_eq!(row.phone, 100, "{}", row.option);
        }
        store.close().await;
    });

    // The laptop dies while the phones vote on the second question.
    let acknowledged: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
    let sent = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|scope| {
        for (i, cookie) in cookies.iter().enumerate() {
            let base = server.base.clone();
            let acknowledged = acknowledged.clone();
            let sent = sent.clone();
            let question = second.id;
            scope.spawn(move || {
                sent.fetch_add(1, Ordering::SeqCst);
                if vote(&base, cookie, question, OPTIONS[(i + 1) % 3]).is_ok() {
                    acknowledged.lock().unwrap().push(i);
                }
            });
        }
        // Kill it once some ballots are in, others still on their way.
        while acknowledged.lock().unwrap().len() < 40 {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
    });
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40);
    runtime.block_on(async {
        let store = Store::open_dir(dir.path()).await.unwrap();
        let problems = store.check_integrity().await.unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        let ballots: Vec<_> = store
            .ballots(meeting.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.question_id == second.id)
            .collect();
        let participants = store.participants(meeting.id).await.unwrap();
        for i in &acknowledged {
            let id = participants
                .iter()
                .find(|p| p.check_code == codes[*i])
                .unwrap()
                .id;
            let ballot = ballots.iter().find(|b| b.participant_id == id);
            assert_eq!(
                ballot.map(|b| b.option.as_str()),
                Some(OPTIONS[(i + 1) % 3]),
                "acknowledged ballot {i} survived"
            );
        }
        assert!(ballots.len() <= PHONES);
        store.close().await;
    });
}
