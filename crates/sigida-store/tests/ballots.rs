//! Ballots under load, on every backend: 300 participants voting at once on one question end
//! with exactly 300 ballots; a participant who votes again changes their ballot; the rules
//! (open question, own options, checked in) hold inside the transaction.

mod common;

use sigida_core::actors::{GroupKind, Level};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::geography::AdminUnit;
use sigida_core::meeting::*;
use sigida_core::{Id, Timestamp};
use sigida_store::{Store, StoreError};

const VOTERS: usize = 300;

fn now() -> Timestamp {
    Timestamp::from_datetime(time::OffsetDateTime::now_utc())
}

struct Seeded {
    question: Question,
    voters: Vec<Participant>,
    absent: Participant,
}

async fn seed(store: &Store) -> Seeded {
    let diagnostic = Diagnostic {
        id: Id::new(),
        name: "Vote".into(),
        country_iso3: "MLI".into(),
        programme: String::new(),
        synthetic: true,
        min_cell: 5,
        created_at: now(),
        period_start: None,
        period_end: None,
        languages: sigida_core::diagnostic::default_languages(),
    };
    let community = Community {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        name: "Gao".into(),
        slug: "gao".into(),
        region_pcode: "ML07".into(),
        cercle_pcode: "ML0701".into(),
        cod_version: "v03".into(),
        description: String::new(),
        latitude: None,
        longitude: None,
        selection_reason: String::new(),
        archived_at: None,
    };
    let meeting = Meeting {
        id: Id::new(),
        community_id: community.id,
        level: Level::Local,
        title: "Consultation".into(),
        date: time::macros::date!(2026 - 03 - 19),
        place: "Gao".into(),
        facilitators: "A. Maïga".into(),
        agenda: vec![],
    };
    let question = Question {
        id: Id::new(),
        meeting_id: meeting.id,
        position: 1,
        kind: QuestionKind::Choice,
        prompt: "Première priorité ?".into(),
        options: vec!["eau".into(), "emploi".into(), "papiers".into()],
        finding_id: None,
        open: true,
    };
    let person = |i: usize, present: bool| Participant {
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
        group: Some(if i.is_multiple_of(3) {
            GroupKind::Women
        } else {
            GroupKind::Youth
        }),
        organisation: String::new(),
        consent: true,
        checked_in_at: present.then(now),
        check_code: format!("C{i:05}"),
    };
    let voters: Vec<Participant> = (0..VOTERS).map(|i| person(i, true)).collect();
    let absent = person(VOTERS, false);
    let mut tx = store.begin().await.unwrap();
    tx.insert_diagnostic(&diagnostic).await.unwrap();
    let unit = |pcode: &str, level: u8, parent: Option<&str>| AdminUnit {
        pcode: pcode.into(),
        cod_version: "v03".into(),
        level,
        name: "Gao".into(),
        parent_pcode: parent.map(Into::into),
        valid_from: None,
    };
    tx.upsert_admin_units(&[
        unit("MLI", 0, None),
        unit("ML07", 1, Some("MLI")),
        unit("ML0701", 2, Some("ML07")),
    ])
    .await
    .unwrap();
    tx.insert_community(&community).await.unwrap();
    tx.insert_meeting(&meeting).await.unwrap();
    for p in voters.iter().chain([&absent]) {
        tx.insert_participant(p).await.unwrap();
    }
    tx.insert_question(&question).await.unwrap();
    tx.commit().await.unwrap();
    Seeded {
        question,
        voters,
        absent,
    }
}

async fn vote(store: Store, question: Id<Question>, voter: Id<Participant>, option: String) {
    let ballot = Ballot {
        question_id: question,
        participant_id: voter,
        option,
        cast_at: now(),
    };
    // A busy database makes a writer wait, never lose its ballot.
    let mut tx = store.begin().await.unwrap();
    tx.cast_ballot(&ballot).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_ballots_at_once_are_three_hundred_and_a_second_vote_replaces_the_first() {
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let options = s.question.options.clone();
        let mut tasks = Vec::new();
        for (i, voter) in s.voters.iter().enumerate() {
            tasks.push(tokio::spawn(vote(
                store.clone(),
                s.question.id,
                voter.id,
                options[i % 3].clone(),
            )));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let meeting = s.question.meeting_id;
        let ballots = store.ballots(meeting).await.unwrap();
        assert_eq!(ballots.len(), VOTERS, "{}", t.label);

        // The first 30 change their minds, all at once: still 300 ballots.
        let mut tasks = Vec::new();
        for voter in &s.voters[..30] {
            tasks.push(tokio::spawn(vote(
                store.clone(),
                s.question.id,
                voter.id,
                "papiers".into(),
            )));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let ballots = store.ballots(meeting).await.unwrap();
        assert_eq!(ballots.len(), VOTERS, "{}", t.label);
        let participants = store.participants(meeting).await.unwrap();
        let totals = tally(&s.question, &ballots, &participants, &[]);
        // Of the first 30, 10 had voted « papiers » already; 20 moved to it.
        assert_eq!(totals.overall[0].phone, 100 - 10, "{}", t.label);
        assert_eq!(totals.overall[1].phone, 100 - 10, "{}", t.label);
        assert_eq!(totals.overall[2].phone, 100 + 20, "{}", t.label);
        let women = totals
            .by_group
            .iter()
            .find(|(g, _)| *g == Some(GroupKind::Women))
            .unwrap();
        assert_eq!(
            women.1.iter().map(OptionTally::total).sum::<u64>(),
            100,
            "every third voter is a woman"
        );

        // The rules hold in the transaction.
        let refused = |option: &str, voter: Id<Participant>| Ballot {
            question_id: s.question.id,
            participant_id: voter,
            option: option.into(),
            cast_at: now(),
        };
        let mut tx = store.begin().await.unwrap();
        let wrong = tx.cast_ballot(&refused("routes", s.voters[0].id)).await;
        assert!(matches!(wrong, Err(StoreError::Refused(_))), "{wrong:?}");
        let absent = tx.cast_ballot(&refused("eau", s.absent.id)).await;
        assert!(matches!(absent, Err(StoreError::Refused(_))), "{absent:?}");
        tx.set_question_open(s.question.id, false).await.unwrap();
        let closed = tx.cast_ballot(&refused("eau", s.voters[1].id)).await;
        assert!(matches!(closed, Err(StoreError::Refused(_))), "{closed:?}");
        tx.commit().await.unwrap();

        // A code joins only while its meeting is open to phones; its token votes as long.
        let at = now();
        assert!(store.voter_to_join("C00007", at).await.unwrap().is_none());
        let mut tx = store.begin().await.unwrap();
        tx.set_phones_open_until(s.question.meeting_id, at.plus_seconds(3600))
            .await
            .unwrap();
        tx.add_voter_token("jeton", s.voters[7].id, at)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let by_code = store.voter_to_join(" c00007 ", at).await.unwrap().unwrap();
        assert_eq!(by_code.id, s.voters[7].id, "codes are read in capitals");
        let by_token = store.voter_by_token("jeton", at).await.unwrap().unwrap();
        assert_eq!(by_token.id, s.voters[7].id);
        let later = at.plus_seconds(3601);
        assert!(
            store
                .voter_to_join("C00007", later)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .voter_by_token("jeton", later)
                .await
                .unwrap()
                .is_none()
        );
    }
}
