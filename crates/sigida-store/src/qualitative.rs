//! Interview and group-discussion notes, the codebook, coded excerpts.

use sigida_core::Id;
use sigida_core::community::Community;
use sigida_core::diagnostic::Diagnostic;
use sigida_core::personal::Personal;
use sigida_core::qualitative::{Code, Excerpt, InterviewNote};

use crate::rows::{Cols, date_text};
use crate::sealing::Sealer;
use crate::{Result, Store, Tx};

fn note(row: &sqlx::any::AnyRow, s: &Sealer) -> Result<InterviewNote> {
    let c = Cols::of("interview_notes", row);
    Ok(InterviewNote {
        id: c.id("id")?,
        community_id: c.id("community_id")?,
        kind: c.code("kind")?,
        code: c.text("code")?,
        group: c.opt_code("group_kind")?,
        sex: c.opt_code("sex")?,
        held_on: c.date("held_on")?,
        text: Personal::new(s.open_text("interview_notes", "text", c.text("text")?)?),
        locality_id: c.opt_id("locality_id")?,
    })
}

fn code(row: &sqlx::any::AnyRow) -> Result<Code> {
    let c = Cols::of("qual_codes", row);
    Ok(Code {
        id: c.id("id")?,
        diagnostic_id: c.id("diagnostic_id")?,
        code: c.text("code")?,
        label: c.text("label")?,
        theme: c.code("theme")?,
    })
}

impl Store {
    /// Each code of the diagnostic linked to a risk, and the risk.
    pub async fn code_risks(
        &self,
        diagnostic: Id<Diagnostic>,
    ) -> Result<Vec<(Id<Code>, sigida_core::protection::RiskType)>> {
        let rows = sqlx::query(
            "SELECT r.code_id, r.risk FROM code_risks r JOIN qual_codes c ON c.id = r.code_id
             WHERE c.diagnostic_id = $1 ORDER BY c.code",
        )
        .bind(diagnostic.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let c = Cols::of("code_risks", row);
                Ok((c.id("code_id")?, c.code("risk")?))
            })
            .collect()
    }

    pub async fn interview_notes(&self, community: Id<Community>) -> Result<Vec<InterviewNote>> {
        sqlx::query("SELECT * FROM interview_notes WHERE community_id = $1 ORDER BY held_on, code")
            .bind(community.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| note(r, &self.seal))
            .collect()
    }

    pub async fn codebook(&self, diagnostic: Id<Diagnostic>) -> Result<Vec<Code>> {
        sqlx::query("SELECT * FROM qual_codes WHERE diagnostic_id = $1 ORDER BY theme, code")
            .bind(diagnostic.to_string())
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(code)
            .collect()
    }

    /// The excerpts of a community's notes with their codes.
    pub async fn excerpts(&self, community: Id<Community>) -> Result<Vec<Excerpt>> {
        let rows = sqlx::query(
            "SELECT x.id, x.note_id, x.text FROM excerpts x
             JOIN interview_notes n ON n.id = x.note_id
             WHERE n.community_id = $1 ORDER BY n.held_on, n.code, x.seq",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?;
        let links = sqlx::query(
            "SELECT l.excerpt_id, l.code_id FROM excerpt_codes l
             JOIN excerpts x ON x.id = l.excerpt_id
             JOIN interview_notes n ON n.id = x.note_id
             WHERE n.community_id = $1",
        )
        .bind(community.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut pairs = Vec::with_capacity(links.len());
        for row in &links {
            let c = Cols::of("excerpt_codes", row);
            pairs.push((c.id::<Excerpt>("excerpt_id")?, c.id::<Code>("code_id")?));
        }
        rows.iter()
            .map(|row| {
                let c = Cols::of("excerpts", row);
                let id: Id<Excerpt> = c.id("id")?;
                Ok(Excerpt {
                    id,
                    note_id: c.id("note_id")?,
                    text: Personal::new(self.seal.open_text(
                        "excerpts",
                        "text",
                        c.text("text")?,
                    )?),
                    codes: pairs
                        .iter()
                        .filter(|(e, _)| *e == id)
                        .map(|(_, code)| *code)
                        .collect(),
                })
            })
            .collect()
    }
}

impl Tx {
    pub async fn insert_code(&mut self, c: &Code) -> Result<()> {
        sqlx::query(
            "INSERT INTO qual_codes (id, diagnostic_id, code, label, theme) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(c.id.to_string())
        .bind(c.diagnostic_id.to_string())
        .bind(&c.code)
        .bind(&c.label)
        .bind(c.theme.code())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn insert_interview_note(&mut self, n: &InterviewNote) -> Result<()> {
        sqlx::query(
            "INSERT INTO interview_notes (id, community_id, kind, code, group_kind, sex, held_on,
                text, locality_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(n.id.to_string())
        .bind(n.community_id.to_string())
        .bind(n.kind.code())
        .bind(&n.code)
        .bind(n.group.map(|g| g.code()))
        .bind(n.sex.map(|s| s.code()))
        .bind(date_text(n.held_on))
        .bind(self.1.text(n.text.expose()))
        .bind(n.locality_id.map(|l| l.to_string()))
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// The locality a note was held in, as the team set it on its page.
    pub async fn set_note_locality(
        &mut self,
        note: Id<InterviewNote>,
        locality: Option<Id<sigida_core::geography::Locality>>,
    ) -> Result<()> {
        let done = sqlx::query("UPDATE interview_notes SET locality_id = $2 WHERE id = $1")
            .bind(note.to_string())
            .bind(locality.map(|l| l.to_string()))
            .execute(self.conn())
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::not_found("missing.note", note));
        }
        Ok(())
    }

    /// The risk a code measures (`None`: no longer linked).
    pub async fn set_code_risk(
        &mut self,
        code: Id<Code>,
        risk: Option<sigida_core::protection::RiskType>,
    ) -> Result<()> {
        sqlx::query("DELETE FROM code_risks WHERE code_id = $1")
            .bind(code.to_string())
            .execute(self.conn())
            .await?;
        if let Some(risk) = risk {
            sqlx::query("INSERT INTO code_risks (code_id, risk) VALUES ($1, $2)")
                .bind(code.to_string())
                .bind(risk.code())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub async fn insert_excerpt(&mut self, e: &Excerpt, seq: i64) -> Result<()> {
        sqlx::query("INSERT INTO excerpts (id, note_id, seq, text) VALUES ($1, $2, $3, $4)")
            .bind(e.id.to_string())
            .bind(e.note_id.to_string())
            .bind(seq)
            .bind(self.1.text(e.text.expose()))
            .execute(self.conn())
            .await?;
        for code in &e.codes {
            sqlx::query("INSERT INTO excerpt_codes (excerpt_id, code_id) VALUES ($1, $2)")
                .bind(e.id.to_string())
                .bind(code.to_string())
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}
