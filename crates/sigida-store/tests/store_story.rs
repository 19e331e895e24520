//! One story of the whole workflow, told to every backend: what goes in comes out the same.

mod common;

use sigida_core::access::{Role, User};
use sigida_core::actors::*;
use sigida_core::audit::{AuditAction, AuditEvent};
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::finding::*;
use sigida_core::geography::{AdminUnit, Locality};
use sigida_core::instrument::ImportKind;
use sigida_core::meeting::*;
use sigida_core::personal::Personal;
use sigida_core::plan::*;
use sigida_core::{Id, Timestamp};
use sigida_store::{NewSession, RawFile, Store, StoreError};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn unit(pcode: &str, level: u8, name: &str, parent: Option<&str>) -> AdminUnit {
    AdminUnit {
        pcode: pcode.into(),
        cod_version: "v03".into(),
        level,
        name: name.into(),
        parent_pcode: parent.map(Into::into),
        valid_from: Some("2025-09-04".into()),
    }
}

struct Seeded {
    diagnostic: Diagnostic,
    community: Community,
}

async fn seed(store: &Store) -> Seeded {
    let diagnostic = Diagnostic {
        id: Id::new(),
        name: "Diagnostic Kayes–Gao".into(),
        country_iso3: "MLI".into(),
        programme: "Migration et protection".into(),
        synthetic: true,
        min_cell: sigida_core::disclosure::DEFAULT_MIN_CELL,
        created_at: at("2026-01-05T08:00:00Z"),
        period_start: None,
        period_end: None,
        languages: sigida_core::diagnostic::default_languages(),
    };
    let community = Community {
        id: Id::new(),
        diagnostic_id: diagnostic.id,
        name: "Gao Château".into(),
        slug: "gao-chateau".into(),
        region_pcode: "ML07".into(),
        cercle_pcode: "ML0701".into(),
        cod_version: "v03".into(),
        description: "Quartier de transit".into(),
        latitude: Some(16.27),
        longitude: Some(-0.04),
        selection_reason: String::new(),
        archived_at: None,
    };
    let mut tx = store.begin().await.unwrap();
    tx.insert_diagnostic(&diagnostic).await.unwrap();
    tx.upsert_admin_units(&[
        unit("MLI", 0, "Mali", None),
        unit("ML07", 1, "Gao", Some("MLI")),
        unit("ML0701", 2, "Gao", Some("ML07")),
    ])
    .await
    .unwrap();
    tx.insert_community(&community).await.unwrap();
    tx.commit().await.unwrap();
    Seeded {
        diagnostic,
        community,
    }
}

#[tokio::test]
async fn geography_and_actors_round_trip() {
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        assert_eq!(
            store.main_diagnostic().await.unwrap(),
            s.diagnostic,
            "{}",
            t.label
        );
        assert_eq!(
            store.communities(s.diagnostic.id).await.unwrap(),
            vec![s.community.clone()]
        );
        assert_eq!(
            store
                .community_by_slug(s.diagnostic.id, "gao-chateau")
                .await
                .unwrap(),
            Some(s.community.clone())
        );
        assert_eq!(store.admin_units().await.unwrap().len(), 3);

        let locality = Locality {
            id: Id::new(),
            community_id: s.community.id,
            name: "Château".into(),
            kind: sigida_core::geography::LocalityKind::Quarter,
            admin_pcode: Some("ML0701".into()),
            cod_version: Some("v03".into()),
            latitude: Some(16.2712),
            longitude: Some(-0.0441),
            population: Some(12_400),
            population_source: "Recensement 2009".into(),
            population_year: Some(2009),
        };
        let stakeholder = Stakeholder {
            id: Id::new(),
            diagnostic_id: s.diagnostic.id,
            community_id: Some(s.community.id),
            organisation: "Association des rapatriés".into(),
            kind: StakeholderType::MigrantAssociation,
            level: Level::Local,
            role_in_zone: "Accueil des rapatriés".into(),
            contact_name: Personal::new("Moussa T.".into()),
            contact_phone: Personal::new("+223 70 00 00 00".into()),
            influence: Some(3),
            interest: Some(5),
        };
        let national = Stakeholder {
            id: Id::new(),
            community_id: None,
            organisation: "Comité national de lutte contre la traite".into(),
            kind: StakeholderType::Government,
            level: Level::National,
            ..stakeholder.clone()
        };
        let group = SocioEconomicGroup {
            id: Id::new(),
            community_id: s.community.id,
            kind: GroupKind::Returnees,
            name: "Rapatriés d'Algérie".into(),
            size_estimate: Some(850),
            size_indicator: Some("hh_count_returnee".into()),
            vulnerabilities: "Sans documents".into(),
            priorities: "Documentation, moyens de subsistance".into(),
            representation: "Association".into(),
        };
        let service = ServiceProvider {
            id: Id::new(),
            community_id: s.community.id,
            locality_id: Some(locality.id),
            organisation: "CSRéf de Gao".into(),
            sector: Sector::Health,
            service: "Soins de santé primaires".into(),
            target_groups: "Tous".into(),
            capacity_per_month: Some(900),
            free_of_charge: false,
            opening_hours: "7h30–16h".into(),
            accepts_referrals: true,
            contact_phone: Personal::new("+223 21 00 00 00".into()),
            latitude: Some(16.27),
            longitude: None,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_locality(&locality).await.unwrap();
        tx.insert_stakeholder(&stakeholder).await.unwrap();
        tx.insert_stakeholder(&national).await.unwrap();
        tx.insert_group(&group).await.unwrap();
        tx.insert_service_provider(&service).await.unwrap();
        tx.commit().await.unwrap();

        assert_eq!(
            store.localities(s.community.id).await.unwrap(),
            vec![locality]
        );
        let of_community = store
            .stakeholders(s.diagnostic.id, Some(s.community.id))
            .await
            .unwrap();
        assert_eq!(of_community.len(), 2, "local and national stakeholders");
        assert!(of_community.contains(&stakeholder));
        assert_eq!(store.groups(s.community.id).await.unwrap(), vec![group]);
        assert_eq!(
            store.service_providers(s.community.id).await.unwrap(),
            vec![service]
        );
    }
}

#[tokio::test]
async fn admin_units_reimport_changes_nothing_and_versions_coexist() {
    for t in common::stores().await {
        let store = &t.store;
        seed(store).await;
        let mut tx = store.begin().await.unwrap();
        let again = tx
            .upsert_admin_units(&[unit("ML07", 1, "Gao", Some("MLI"))])
            .await
            .unwrap();
        assert_eq!(
            (again.added, again.updated, again.unchanged),
            (0, 0, 1),
            "{}",
            t.label
        );
        // The same code in another COD version is another unit.
        let mut older = unit("ML07", 1, "Gao (ancien)", Some("MLI"));
        older.cod_version = "v02".into();
        let counts = tx.upsert_admin_units(&[older]).await.unwrap();
        assert_eq!(counts.added, 1);
        tx.commit().await.unwrap();
        assert_eq!(
            store.admin_unit("ML07", "v02").await.unwrap().unwrap().name,
            "Gao (ancien)"
        );
        assert_eq!(
            store.admin_unit("ML07", "v03").await.unwrap().unwrap().name,
            "Gao"
        );
    }
}

#[tokio::test]
async fn raw_files_are_kept_once_by_content_hash() {
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let bytes = b"_uuid;q1\nabc;1\n".to_vec();
        let file = |name| RawFile {
            id: Id::new(),
            diagnostic_id: s.diagnostic.id,
            instrument_version_id: None,
            kind: ImportKind::SurveyData,
            file_name: name,
            bytes: &bytes,
            record_count: 1,
            problem_count: 0,
            imported_by: Some("analyste"),
            at: at("2026-02-01T10:00:00Z"),
        };
        let mut tx = store.begin().await.unwrap();
        let first = tx.keep_raw_file(file("export.csv")).await.unwrap();
        let second = tx.keep_raw_file(file("export (1).csv")).await.unwrap();
        tx.commit().await.unwrap();
        assert!(first.created && !second.created, "{}", t.label);
        assert_eq!(first.import, second.import);
        assert_eq!(store.raw_imports(s.diagnostic.id).await.unwrap().len(), 1);
        assert_eq!(store.raw_bytes(&first.import.sha256).await.unwrap(), bytes);
        // SHA-256 of the bytes, as `sha256sum` prints it.
        assert_eq!(
            first.import.sha256,
            "59f16e59555af10e510dbe58f0eb0720dfda3f384e5f0754af8cb182312f36a6"
        );
    }
}

#[tokio::test]
async fn findings_meetings_and_traced_actions() {
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let finding = |statement: &str, validation| Finding {
            id: Id::new(),
            community_id: s.community.id,
            theme: Theme::Protection,
            statement: statement.into(),
            confidence: Some(Confidence::Medium),
            validation,
            amended_statement: None,
            localities: Vec::new(),
            created_at: at("2026-02-10T09:00:00Z"),
        };
        let validated = finding(
            "Extorsion aux postes de contrôle",
            ValidationStatus::Validated,
        );
        let pending = finding("Recrutement de jeunes", ValidationStatus::Pending);
        let evidence = Evidence {
            id: Id::new(),
            finding_id: validated.id,
            source_type: SourceType::FocusGroup,
            stance: Stance::Supports,
            summary: "4 groupes sur 5 citent l'extorsion".into(),
            reference: "FGD-GAO-02".into(),
            cited: None,
        };
        let meeting = Meeting {
            id: Id::new(),
            community_id: s.community.id,
            level: Level::Local,
            title: "Réunion de consultation".into(),
            date: time::macros::date!(2026 - 03 - 14),
            place: "Mairie de Gao".into(),
            facilitators: "A. Maïga".into(),
            agenda: vec!["Restitution".into(), "Validation".into()],
        };
        let participant = Participant {
            id: Id::new(),
            meeting_id: meeting.id,
            name: None,
            sex: Sex::Female,
            age_group: AgeGroup::Youth,
            stakeholder_type: Some(StakeholderType::WomenAssociation),
            group: Some(GroupKind::Women),
            organisation: "Association des femmes".into(),
            consent: true,
            checked_in_at: Some(at("2026-03-14T09:05:00Z")),
            check_code: "ABC234".into(),
        };
        let decision = Decision {
            id: Id::new(),
            meeting_id: meeting.id,
            kind: DecisionKind::LocalitySelection,
            text: "Château et Sosso Koïra retenus".into(),
            taken_by: "Plénière".into(),
        };
        let plan = ActionPlan {
            id: Id::new(),
            community_id: s.community.id,
            version: 1,
            status: PlanStatus::Draft,
            title: "Plan d'action de Gao".into(),
            adopted_on: None,
            adopted_by_meeting: None,
            created_at: at("2026-03-20T09:00:00Z"),
        };
        let action = |findings, decisions| Action {
            id: Id::new(),
            plan_id: plan.id,
            objective: "Les jeunes rapatriés ont un revenu à Gao".into(),
            title: "Comités de veille".into(),
            description: String::new(),
            lead_partner: "Croix-Rouge malienne".into(),
            partners: vec!["Mairie".into(), "OIM".into()],
            target_groups: "Jeunes".into(),
            localities: "Château".into(),
            start: Quarter::new(1, 2).unwrap(),
            end: Quarter::new(3, 4).unwrap(),
            status: ActionStatus::Planned,
            pdsec_axis: Some("Axe 3".into()),
            risks: "Insécurité".into(),
            resources: "Deux animateurs, une moto".into(),
            finding_ids: findings,
            decision_ids: decisions,
            origin_id: None,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_finding(&validated).await.unwrap();
        tx.insert_finding(&pending).await.unwrap();
        tx.insert_evidence(&evidence).await.unwrap();
        tx.insert_meeting(&meeting).await.unwrap();
        tx.insert_participant(&participant).await.unwrap();
        tx.insert_decision(&decision).await.unwrap();
        tx.insert_plan(&plan).await.unwrap();
        tx.commit().await.unwrap();

        // An action answering only a pending finding is refused, and nothing of it is stored.
        let untraced = action(vec![pending.id], vec![]);
        let mut tx = store.begin().await.unwrap();
        let refused = tx.insert_action(&untraced).await;
        assert!(matches!(refused, Err(StoreError::Rule(_))), "{}", t.label);
        tx.rollback().await.unwrap();

        let traced = action(vec![validated.id], vec![decision.id]);
        let line = BudgetLine {
            id: Id::new(),
            action_id: traced.id,
            item: "Atelier".into(),
            unit: "jour".into(),
            quantity: 4,
            unit_cost_fcfa: 150_000,
            funding_source: "OIM".into(),
            year: 1,
        };
        let indicator = PlanIndicator {
            id: Id::new(),
            action_id: traced.id,
            name: "Comités actifs".into(),
            baseline: Some(0.0),
            target: Some(6.0),
            unit: "comités".into(),
            means_of_verification: "PV des comités".into(),
        };
        let measurement = Measurement {
            id: Id::new(),
            indicator_id: indicator.id,
            measured_on: time::macros::date!(2026 - 09 - 30),
            value: 2.0,
            note: "Deux comités installés".into(),
            recorded_by: "croix-rouge".into(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_action(&traced).await.unwrap();
        tx.insert_budget_line(&line).await.unwrap();
        tx.insert_plan_indicator(&indicator).await.unwrap();
        tx.insert_measurement(&measurement).await.unwrap();
        tx.commit().await.unwrap();

        let findings = store.findings(s.community.id).await.unwrap();
        assert_eq!(findings.len(), 2);
        assert_eq!(
            store.evidence_of_community(s.community.id).await.unwrap(),
            vec![evidence]
        );
        assert_eq!(
            store.meetings(s.community.id).await.unwrap(),
            vec![meeting.clone()]
        );
        assert_eq!(
            store.participants(meeting.id).await.unwrap(),
            vec![participant]
        );
        assert_eq!(store.decisions(meeting.id).await.unwrap(), vec![decision]);
        assert_eq!(
            store.plans(s.community.id).await.unwrap(),
            vec![plan.clone()]
        );
        assert_eq!(store.actions(plan.id).await.unwrap(), vec![traced.clone()]);
        assert_eq!(store.budget_lines(plan.id).await.unwrap(), vec![line]);
        assert_eq!(
            store.plan_indicators(plan.id).await.unwrap(),
            vec![indicator.clone()]
        );
        assert_eq!(
            store.measurements(indicator.id).await.unwrap(),
            vec![measurement]
        );

        // A milestone, then the meeting adopts the plan: from then on it changes only through
        // a new version, while its follow-up goes on.
        let milestone = Milestone {
            id: Id::new(),
            action_id: traced.id,
            title: "Comités installés".into(),
            due: Quarter::new(1, 4).unwrap(),
            done_on: None,
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_milestone(&milestone).await.unwrap();
        tx.adopt_plan(plan.id, meeting.id, time::macros::date!(2026 - 03 - 28))
            .await
            .unwrap();
        tx.set_milestone_done(
            traced.id,
            milestone.id,
            Some(time::macros::date!(2026 - 12 - 15)),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let adopted = store.plan(plan.id).await.unwrap().unwrap();
        assert_eq!(adopted.status, PlanStatus::Adopted, "{}", t.label);
        assert_eq!(adopted.adopted_by_meeting, Some(meeting.id));
        let mut tx = store.begin().await.unwrap();
        let frozen = tx.delete_action(traced.id).await;
        assert!(
            matches!(frozen, Err(StoreError::Rule(ActionError::Frozen(1)))),
            "{}: {frozen:?}",
            t.label
        );
        tx.rollback().await.unwrap();

        // The revision copies everything, follow-up included; the copy changes nothing until
        // edited, and the adopted version stays as the meeting agreed it.
        let v1 = store.plan_content(plan.id).await.unwrap();
        assert_eq!(
            v1.milestones[0].done_on,
            Some(time::macros::date!(2026 - 12 - 15))
        );
        let next = ActionPlan {
            id: Id::new(),
            version: 2,
            status: PlanStatus::Draft,
            adopted_on: None,
            adopted_by_meeting: None,
            ..plan.clone()
        };
        let copy = v1.carried_into(next.id, uuid::Uuid::new_v4);
        let mut tx = store.begin().await.unwrap();
        tx.insert_revision(&next, &copy).await.unwrap();
        tx.commit().await.unwrap();
        let v2 = store.plan_content(next.id).await.unwrap();
        assert_eq!(v2, copy, "{}", t.label);
        assert!(sigida_core::plan::changes(&v1, &v2).is_empty());
        let mut tx = store.begin().await.unwrap();
        tx.delete_action(v2.actions[0].id).await.unwrap();
        tx.adopt_plan(next.id, meeting.id, time::macros::date!(2027 - 03 - 30))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(store.actions(next.id).await.unwrap().is_empty());
        assert_eq!(store.plan_content(plan.id).await.unwrap(), v1);
        assert_eq!(
            store
                .latest_plan(s.community.id)
                .await
                .unwrap()
                .unwrap()
                .status,
            PlanStatus::Revised
        );
    }
}

#[tokio::test]
async fn users_sessions_and_audit() {
    for t in common::stores().await {
        let store = &t.store;
        let user = User {
            id: Id::new(),
            username: "coord".into(),
            display_name: "Awa Coulibaly".into(),
            role: Role::Coordinator,
            organisation: "OIM".into(),
            active: true,
            created_at: at("2026-01-05T08:00:00Z"),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_user(&user, "$argon2id$fake").await.unwrap();
        assert!(matches!(
            tx.insert_user(
                &User {
                    id: Id::new(),
                    ..user.clone()
                },
                "x"
            )
            .await,
            Err(StoreError::Conflict { .. })
        ));
        tx.rollback().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        tx.insert_user(&user, "$argon2id$fake").await.unwrap();
        let now = at("2026-01-06T08:00:00Z");
        tx.open_session(&NewSession {
            token: "secret-token",
            csrf_token: "csrf",
            user_id: user.id,
            created_at: now,
            expires_at: now.plus_seconds(3600),
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let (found, hash) = store.user_with_password("coord").await.unwrap().unwrap();
        assert_eq!(
            (found, hash.as_str()),
            (user.clone(), "$argon2id$fake"),
            "{}",
            t.label
        );
        let (session_user, csrf) = store
            .session_user("secret-token", now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((session_user, csrf.as_str()), (user.clone(), "csrf"));
        assert!(store.session_user("other", now).await.unwrap().is_none());
        assert!(
            store
                .session_user("secret-token", now.plus_seconds(7200))
                .await
                .unwrap()
                .is_none(),
            "expired sessions open nothing"
        );

        let mut tx = store.begin().await.unwrap();
        tx.close_session("secret-token").await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            store
                .session_user("secret-token", now)
                .await
                .unwrap()
                .is_none()
        );

        for (i, action) in [AuditAction::Login, AuditAction::ViewPersonalData]
            .into_iter()
            .enumerate()
        {
            store
                .audit(&AuditEvent {
                    id: Id::new(),
                    at: now.plus_seconds(i as i64),
                    actor: Some("coord".into()),
                    action,
                    subject: "community:gao".into(),
                    detail: String::new(),
                })
                .await
                .unwrap();
        }
        let events = store.audit_events(10).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[0].action,
            AuditAction::ViewPersonalData,
            "newest first"
        );
        assert!(store.check_integrity().await.unwrap().is_empty());
    }
}

use sqlx::Row;

#[tokio::test]
async fn reopening_runs_no_migration_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_dir(dir.path()).await.unwrap();
    seed(&store).await;
    store.close().await;
    let again = Store::open_dir(dir.path()).await.unwrap();
    assert_eq!(again.diagnostics().await.unwrap().len(), 1);
    let row = sqlx::query(
        "SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_migrations",
    )
    .fetch_one(
        &sqlx::AnyPool::connect(&format!(
            "sqlite://{}",
            dir.path().join("sigida.db").display()
        ))
        .await
        .unwrap(),
    )
    .await
    .unwrap();
    let (rows, versions, newest): (i64, i64, i64) = (
        row.try_get(0).unwrap(),
        row.try_get(1).unwrap(),
        row.try_get(2).unwrap(),
    );
    assert_eq!(
        (rows, versions),
        (newest, newest),
        "each migration, 1 to the newest, recorded once"
    );
}

#[tokio::test]
async fn submissions_are_added_once_by_uuid_and_the_cleaning_log_merges() {
    use sigida_core::cleaning::{Decision, LogEntry};
    use sigida_core::instrument::{Instrument, InstrumentKind};
    use sigida_store::NewSubmission;
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let instrument = Instrument {
            id: Id::new(),
            diagnostic_id: s.diagnostic.id,
            kind: InstrumentKind::HouseholdSurvey,
            name: "Ménages".into(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_instrument(&instrument).await.unwrap();
        let mut imports = Vec::new();
        for (i, uuids) in [vec!["a", "b", "c"], vec!["b", "c", "d", "e"]]
            .into_iter()
            .enumerate()
        {
            let bytes = format!("export {i}").into_bytes();
            let kept = tx
                .keep_raw_file(RawFile {
                    id: Id::new(),
                    diagnostic_id: s.diagnostic.id,
                    instrument_version_id: None,
                    kind: ImportKind::SurveyData,
                    file_name: "export.csv",
                    bytes: &bytes,
                    record_count: uuids.len() as i64,
                    problem_count: 0,
                    imported_by: None,
                    at: at("2026-02-01T10:00:00Z").plus_seconds(i as i64),
                })
                .await
                .unwrap();
            let subs: Vec<NewSubmission> = uuids
                .iter()
                .enumerate()
                .map(|(r, u)| NewSubmission {
                    uuid: u,
                    row: r as i64 + 2,
                    submitted_at: Some("2026-02-01T09:00:00"),
                })
                .collect();
            let added = tx
                .add_submissions(instrument.id, kept.import.id, &subs)
                .await
                .unwrap();
            assert_eq!(added, if i == 0 { 3 } else { 2 }, "{}", t.label);
            imports.push(kept.import.id);
        }
        tx.commit().await.unwrap();
        assert_eq!(
            store.submission_count(instrument.id).await.unwrap(),
            5,
            "{}",
            t.label
        );
        assert_eq!(
            store.submissions_of_import(imports[1]).await.unwrap(),
            vec![("d".to_owned(), 4), ("e".to_owned(), 5)]
        );
        let brought = store.imports_with_submissions(instrument.id).await.unwrap();
        assert_eq!(
            brought.iter().map(|(_, u)| u.join(",")).collect::<Vec<_>>(),
            ["a,b,c", "d,e"]
        );

        let entry = |decision, new: &str| LogEntry {
            uuid: "a".into(),
            loop_index: String::new(),
            question: "age".into(),
            old_value: "999".into(),
            new_value: new.into(),
            issue: "valeur aberrante".into(),
            check: "outlier_iqr".into(),
            decision,
            author: "sigida".into(),
            date: "2026-02-02".into(),
            reason: String::new(),
        };
        let mut tx = store.begin().await.unwrap();
        let first = tx
            .merge_log(instrument.id, &[entry(Decision::Pending, "")])
            .await
            .unwrap();
        let decided = tx
            .merge_log(instrument.id, &[entry(Decision::Change, "99")])
            .await
            .unwrap();
        let rerun = tx
            .merge_log(instrument.id, &[entry(Decision::Pending, "")])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            (first.added, decided.updated, rerun.unchanged),
            (1, 1, 1),
            "{}",
            t.label
        );
        let log = store.cleaning_log(instrument.id).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (log[0].decision, log[0].new_value.as_str()),
            (Decision::Change, "99"),
            "a check run again never undoes a decision"
        );
    }
}

/// A locality a risk report names cannot be removed (the refusal is a code, the transaction
/// rolled back, the locality still there); once nothing names it, it can. Corrections and
/// archiving are kept as written.
#[tokio::test]
async fn a_locality_named_elsewhere_is_not_removed() {
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let locality = Locality {
            id: Id::new(),
            community_id: s.community.id,
            name: "Château".into(),
            kind: sigida_core::geography::LocalityKind::Quarter,
            admin_pcode: None,
            cod_version: None,
            latitude: None,
            longitude: None,
            population: None,
            population_source: String::new(),
            population_year: None,
        };
        let report = sigida_core::protection::RiskReport {
            id: Id::new(),
            community_id: s.community.id,
            locality_id: locality.id,
            risk: sigida_core::protection::RiskType::ALL[0],
            source: sigida_core::finding::SourceType::KeyInformant,
            observed_on: time::macros::date!(2026 - 02 - 01),
            prevalence: None,
            incidents: Some(2),
            present: true,
            note: String::new(),
            origin: Default::default(),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_locality(&locality).await.unwrap();
        tx.insert_risk_report(&report).await.unwrap();
        tx.commit().await.unwrap();

        let mut tx = store.begin().await.unwrap();
        match tx.delete_locality(locality.id).await {
            Err(StoreError::Refused(r)) => assert_eq!(r.code, "register.in_use", "{}", t.label),
            other => panic!("{}: {other:?}", t.label),
        }
        drop(tx);
        assert_eq!(store.localities(s.community.id).await.unwrap().len(), 1);

        let corrected = Locality {
            name: "Château-Est".into(),
            population: Some(900),
            population_year: Some(2024),
            ..locality.clone()
        };
        let archived = Community {
            archived_at: Some(at("2026-03-01T10:00:00Z")),
            selection_reason: "Transit".into(),
            ..s.community.clone()
        };
        let mut tx = store.begin().await.unwrap();
        tx.update_locality(&corrected).await.unwrap();
        tx.update_community(&archived).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.locality(locality.id).await.unwrap(), corrected);
        assert_eq!(store.community(s.community.id).await.unwrap(), archived);
        assert!(matches!(
            store.locality(Id::new()).await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

/// A finding about one locality, its evidence with the value cited, and a document of the
/// register: written, read back equal, corrected and removed, on both databases.
#[tokio::test]
async fn a_local_finding_its_cited_value_and_the_documents_round_trip() {
    use sigida_core::citation::{CitedValue, Document};
    use sigida_core::indicator::IndicatorKind;
    for t in common::stores().await {
        let store = &t.store;
        let s = seed(store).await;
        let locality = Locality {
            id: Id::new(),
            community_id: s.community.id,
            name: "Sosso Koïra".into(),
            kind: sigida_core::geography::LocalityKind::Quarter,
            admin_pcode: None,
            cod_version: None,
            latitude: None,
            longitude: None,
            population: None,
            population_source: String::new(),
            population_year: None,
        };
        let mut finding = Finding {
            id: Id::new(),
            community_id: s.community.id,
            theme: Theme::Security,
            statement: "Des jeunes sont approchés par des groupes armés".into(),
            confidence: None,
            validation: ValidationStatus::Pending,
            amended_statement: None,
            localities: vec![locality.id],
            created_at: at("2026-02-10T09:00:00Z"),
        };
        let document = Document {
            id: Id::new(),
            diagnostic_id: s.diagnostic.id,
            title: "Profil migratoire du Mali".into(),
            publisher: "OIM".into(),
            published_on: Some(time::macros::date!(2024 - 06 - 30)),
            link: Some("https://publications.iom.int/".into()),
        };
        let cited = CitedValue::Estimate {
            measure: IndicatorKind::Share,
            estimate: 0.1 + 0.2,
            low: 0.25,
            high: 0.35,
            n: 120,
        };
        let evidence = Evidence {
            id: Id::new(),
            finding_id: finding.id,
            source_type: SourceType::SurveyIndicator,
            stance: Stance::Supports,
            summary: "Part des jeunes approchés".into(),
            reference: "indicator|youth_approached|sex|male".into(),
            cited: Some(cited.clone()),
        };
        let mut tx = store.begin().await.unwrap();
        tx.insert_locality(&locality).await.unwrap();
        tx.insert_finding(&finding).await.unwrap();
        tx.insert_evidence(&evidence).await.unwrap();
        tx.insert_document(&document).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.findings(s.community.id).await.unwrap(),
            vec![finding.clone()],
            "{}",
            t.label
        );
        let back = store.evidence_of_community(s.community.id).await.unwrap();
        assert_eq!(back.len(), 1);
        assert!(
            back[0].cited.as_ref().unwrap().same_as(&cited),
            "{}",
            t.label
        );
        assert_eq!(
            store.documents(s.diagnostic.id).await.unwrap(),
            vec![document.clone()]
        );

        // Corrected: the whole community, a new statement; the value re-read; then removed.
        finding.localities.clear();
        finding.statement = "Des jeunes de Gao sont approchés".into();
        let mut tx = store.begin().await.unwrap();
        tx.update_finding(&finding).await.unwrap();
        tx.set_evidence_cited(evidence.id, None).await.unwrap();
        assert_eq!(tx.document_citations_here(document.id).await.unwrap(), 0);
        tx.commit().await.unwrap();
        assert_eq!(
            store.findings(s.community.id).await.unwrap(),
            vec![finding.clone()]
        );
        let mut tx = store.begin().await.unwrap();
        tx.delete_finding(finding.id).await.unwrap();
        tx.delete_document(document.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.findings(s.community.id).await.unwrap().is_empty());
        assert!(
            store
                .evidence_of_community(s.community.id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.documents(s.diagnostic.id).await.unwrap().is_empty());
    }
}

/// The audit log is a hash chain: intact as Sigida writes it, and an entry edited, deleted or
/// slipped in behind its back is found at its place, on both databases.
#[tokio::test]
async fn the_audit_chain_shows_an_edited_a_deleted_and_a_forged_entry() {
    use sigida_core::audit::{AuditAction, AuditEvent};
    use sigida_store::AuditBreak;
    use sqlx::Executor;
    for t in common::stores().await {
        let store = &t.store;
        let mut ids = Vec::new();
        for i in 0..6 {
            let event = AuditEvent {
                id: Id::new(),
                at: at("2026-02-01T08:00:00Z").plus_seconds(i),
                actor: Some("coord".into()),
                action: AuditAction::ViewPersonalData,
                subject: format!("stakeholder:{i}"),
                detail: "contacts".into(),
            };
            ids.push(event.id.to_string());
            store.audit(&event).await.unwrap();
        }
        let intact = store.verify_audit().await.unwrap();
        assert_eq!(intact.entries, 6, "{}", t.label);
        assert!(intact.breaks.is_empty(), "{}: {:?}", t.label, intact.breaks);
        assert_eq!(intact.head.len(), 64);

        sqlx::any::install_default_drivers();
        let behind = sqlx::AnyPool::connect(&t.url).await.unwrap();
        behind
            .execute(
                format!(
                    "UPDATE audit_log SET actor = 'quelqu''un' WHERE id = '{}'",
                    ids[1]
                )
                .as_str(),
            )
            .await
            .unwrap();
        behind
            .execute(format!("DELETE FROM audit_log WHERE id = '{}'", ids[3]).as_str())
            .await
            .unwrap();
        behind
            .execute(
                "INSERT INTO audit_log (id, at, actor, action, subject, detail)
                 VALUES ('forged', '2026-02-01T09:00:00.000000Z', NULL, 'login', 'user:x', '')",
            )
            .await
            .unwrap();
        behind.close().await;
        let found = store.verify_audit().await.unwrap().breaks;
        assert!(
            found.contains(&AuditBreak::Edited {
                seq: 2,
                id: ids[1].clone()
            }),
            "{}: {found:?}",
            t.label
        );
        assert!(
            found.contains(&AuditBreak::Missing { from: 4, to: 4 }),
            "{}: {found:?}",
            t.label
        );
        assert!(
            found.contains(&AuditBreak::Unchained {
                id: "forged".into()
            }),
            "{}: {found:?}",
            t.label
        );
    }
}

/// Personal data at rest: a diagnostic kept in clear is sealed the first time it opens with a
/// key; from then on it opens only with that key, reads back the same values, and shows none
/// of them to a look at the database; a new key takes over the whole of it.
#[tokio::test]
async fn personal_data_is_sealed_with_the_key_and_opens_only_with_it() {
    use sigida_core::actors::{Level, Stakeholder, StakeholderType};
    use sigida_core::personal::Personal;
    use sigida_store::StoreError;
    use sigida_vault::Key;
    use sqlx::Row;
    for t in common::stores().await {
        let s = seed(&t.store).await;
        let stakeholder = Stakeholder {
            id: Id::new(),
            diagnostic_id: s.diagnostic.id,
            community_id: Some(s.community.id),
            organisation: "Association des rapatriés".into(),
            kind: StakeholderType::MigrantAssociation,
            level: Level::Local,
            role_in_zone: "Accueil".into(),
            contact_name: Personal::new("Fadimata Maïga".into()),
            contact_phone: Personal::new("+223 76 12 34 56".into()),
            influence: None,
            interest: None,
        };
        let mut tx = t.store.begin().await.unwrap();
        tx.insert_stakeholder(&stakeholder).await.unwrap();
        tx.commit().await.unwrap();
        t.store.close().await;

        sqlx::any::install_default_drivers();
        let stored = || async {
            let behind = sqlx::AnyPool::connect(&t.url).await.unwrap();
            let row = sqlx::query("SELECT contact_name, contact_phone FROM stakeholders")
                .fetch_one(&behind)
                .await
                .unwrap();
            let values: (String, String) = (row.try_get(0).unwrap(), row.try_get(1).unwrap());
            behind.close().await;
            values
        };
        assert_eq!(
            stored().await.1,
            "+223 76 12 34 56",
            "{}: in clear before",
            t.label
        );

        let key = Key::generate();
        let sealed = Store::connect_with(&t.url, Some(key.clone()))
            .await
            .unwrap();
        let read = sealed.stakeholders(s.diagnostic.id, None).await.unwrap();
        assert_eq!(read[0].contact_phone.expose(), "+223 76 12 34 56");
        assert_eq!(read[0].contact_name.expose(), "Fadimata Maïga");
        sealed.close().await;
        let (name, phone) = stored().await;
        assert!(
            !name.contains("Fadimata") && !phone.contains("76 12"),
            "{}: sealed in the database",
            t.label
        );
        assert!(matches!(
            Store::connect_with(&t.url, None).await,
            Err(StoreError::Locked)
        ));
        assert!(matches!(
            Store::connect_with(&t.url, Some(Key::generate())).await,
            Err(StoreError::WrongKey)
        ));

        // With a key, the audit chain's links are keyed, and a new key keeps the chain.
        let event = |subject: &str| sigida_core::audit::AuditEvent {
            id: Id::new(),
            at: at("2026-02-01T08:00:00Z"),
            actor: None,
            action: sigida_core::audit::AuditAction::ViewPersonalData,
            subject: subject.into(),
            detail: String::new(),
        };
        let next = Key::generate();
        let mut store = Store::connect_with(&t.url, Some(key.clone()))
            .await
            .unwrap();
        store.audit(&event("stakeholder:1")).await.unwrap();
        let check = store.verify_audit().await.unwrap();
        assert!(check.breaks.is_empty(), "{}: {:?}", t.label, check.breaks);
        assert!(check.head.starts_with("k:"), "{}: {}", t.label, check.head);
        store.rotate_key(next.clone()).await.unwrap();
        store.audit(&event("stakeholder:2")).await.unwrap();
        store.close().await;
        let store = Store::connect_with(&t.url, Some(next.clone()))
            .await
            .unwrap();
        let check = store.verify_audit().await.unwrap();
        assert!(check.breaks.is_empty(), "{}: {:?}", t.label, check.breaks);
        assert_eq!(check.entries, 2, "{}", t.label);
        store.close().await;
        assert!(matches!(
            Store::connect_with(&t.url, Some(key)).await,
            Err(StoreError::WrongKey)
        ));
        let store = Store::connect_with(&t.url, Some(next)).await.unwrap();
        let read = store.stakeholders(s.diagnostic.id, None).await.unwrap();
        assert_eq!(read[0].contact_phone.expose(), "+223 76 12 34 56");
        store.close().await;
    }
}
