//! Meetings, their participants and decisions.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::meeting::{Decision, Meeting, Participant};
use sigida_core::personal::Personal;

use crate::rows::{Cols, date_text, json_text};
use crate::{Result, Store, Tx};

fn meeting(row: &sqlx::any::AnyRow) -> Result<Meeting> {
    let c = Cols::of("meetings", row);
    Ok(Meeting {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        level: c.code("level")?,
        title: c.text("title")?,
        date: c.date("meeting_date")?,
        place: c.text("place")?,
        facilitators: c.text("facilitators")?,
        agenda: c.json("agenda")?,
    })
}

fn participant(row: &sqlx::any::AnyRow) -> Result<Participant> {
    let c = Cols::of("participants", row);
    Ok(Participant {
        id: c.id("id")?,
        meeting_id: c.id("meeting_id")?,
        name: c.opt_text("name")?.map(Personal::new),
        sex: c.code("sex")?,
        age_group: c.code("age_group")?,
        stakeholder_type: c.opt_code("stakeholder_type")?,
        group: c.opt_code("group_kind")?,
        organisation: c.text("organisation")?,
        consent: c.bool("consent")?,
        checked_in_at: c.opt_timestamp("checked_in_at")?,
    })
}

fn decision(row: &sqlx::any::AnyRow) -> Result<Decision> {
    let c = Cols::of("decisions", row);
    Ok(Decision {
        id: c.id("id")?,
        meeting_id: c.id("meeting_id")?,
        kind: c.code("kind")?,
        text: c.text("text")?,
        taken_by: c.text("taken_by")?,
    })
}

impl Store {
    pub async fn meetings(&self, community: Id<Community>) -> Result<Vec<Meeting>> {
        sqlx::query("SELECT * FROM meetings WHERE community_id = $1 ORDER BY meeting_date, title")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(meeting)
            .collect()
    }

    pub async fn participants(&self, meeting: Id<Meeting>) -> Result<Vec<Participant>> {
        sqlx::query("SELECT * FROM participants WHERE meeting_id = $1 ORDER BY checked_in_at, id")
            .bind(meeting.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(participant)
            .collect()
    }

    pub async fn decisions(&self, meeting: Id<Meeting>) -> Result<Vec<Decision>> {
        sqlx::query("SELECT * FROM decisions WHERE meeting_id = $1 ORDER BY kind, id")
            .bind(meeting.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(decision)
            .collect()
    }
}

impl Tx {
    pub async fn insert_meeting(&mut self, m: &Meeting) -> Result<()> {
        sqlx::query(
            "INSERT INTO meetings (id, community_id, level, title, meeting_date, place, facilitators, agenda)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(m.id.to_string())
        .bind(m.community_id.to_string())
        .bind(m.level.code())
        .bind(&m.title)
        .bind(date_text(m.date))
        .bind(&m.place)
        .bind(&m.facilitators)
        .bind(json_text(&m.agenda))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_participant(&mut self, p: &Participant) -> Result<()> {
        sqlx::query(
            "INSERT INTO participants (id, meeting_id, name, sex, age_group, stakeholder_type,
                group_kind, organisation, consent, checked_in_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(p.id.to_string())
        .bind(p.meeting_id.to_string())
        .bind(p.name.as_ref().map(|n| n.expose().clone()))
        .bind(p.sex.code())
        .bind(p.age_group.code())
        .bind(p.stakeholder_type.map(|s| s.code()))
        .bind(p.group.map(|g| g.code()))
        .bind(&p.organisation)
        .bind(i64::from(p.consent))
        .bind(p.checked_in_at.map(|t| t.to_rfc3339()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_decision(&mut self, d: &Decision) -> Result<()> {
        sqlx::query(
            "INSERT INTO decisions (id, meeting_id, kind, text, taken_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(d.id.to_string())
        .bind(d.meeting_id.to_string())
        .bind(d.kind.code())
        .bind(&d.text)
        .bind(&d.taken_by)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}
