//! A consultative meeting as it runs: the facilitator's screen (register, inclusion check,
//! questions, live results, votes counted on paper or by hand, decisions), the participants'
//! phones, the prioritisation of actions and the selection of localities.

pub mod facilitator;
pub mod phone;
pub mod priorities;
pub mod selection;

use sigida_core::access::Permission::RunMeetings;

use crate::http::routes::{
    Access::{Needs, Public},
    Entry, Loads, get, post,
};

pub fn routes() -> Vec<Entry> {
    use Loads::{Community, Meeting, Nothing};
    vec![
        post(
            "/communities/{slug}/meetings",
            Needs(RunMeetings),
            Community,
            facilitator::create_meeting,
        ),
        get(
            "/meetings/{id}",
            Needs(RunMeetings),
            Meeting,
            facilitator::meeting,
        ),
        get(
            "/meetings/{id}/results",
            Needs(RunMeetings),
            Meeting,
            facilitator::meeting_results,
        ),
        post(
            "/meetings/{id}/participants",
            Needs(RunMeetings),
            Meeting,
            facilitator::register,
        ),
        post(
            "/meetings/{id}/findings",
            Needs(RunMeetings),
            Meeting,
            facilitator::put_findings,
        ),
        post(
            "/meetings/{id}/decisions",
            Needs(RunMeetings),
            Meeting,
            facilitator::add_next_step,
        ),
        post(
            "/meetings/{id}/questions",
            Needs(RunMeetings),
            Meeting,
            facilitator::add_question,
        ),
        post(
            "/meetings/{id}/questions/{question}/decide",
            Needs(RunMeetings),
            Meeting,
            facilitator::decide_finding,
        ),
        post(
            "/meetings/{id}/questions/{question}/counts",
            Needs(RunMeetings),
            Meeting,
            facilitator::add_count,
        ),
        post(
            "/meetings/{id}/erase",
            Needs(sigida_core::access::Permission::ErasePersonalData),
            Meeting,
            facilitator::erase_participant,
        ),
        post(
            "/meetings/{id}/phones/{verb}",
            Needs(RunMeetings),
            Meeting,
            facilitator::set_phones,
        ),
        post(
            "/meetings/{id}/questions/{question}/{verb}",
            Needs(RunMeetings),
            Meeting,
            facilitator::set_open,
        ),
        get(
            "/meetings/{id}/priorities",
            Needs(RunMeetings),
            Meeting,
            priorities::priorities,
        ),
        post(
            "/meetings/{id}/priorities",
            Needs(RunMeetings),
            Meeting,
            priorities::adopt,
        ),
        get(
            "/meetings/{id}/selection",
            Needs(RunMeetings),
            Meeting,
            selection::selection,
        ),
        post(
            "/meetings/{id}/selection",
            Needs(RunMeetings),
            Meeting,
            selection::adopt,
        ),
        get("/assets/live.js", Public, Nothing, facilitator::live_script),
        get("/v", Public, Nothing, phone::phone_home),
        post("/v", Public, Nothing, phone::phone_join),
        get("/v/ballot", Public, Nothing, phone::phone_ballot),
        post("/v/ballot", Public, Nothing, phone::phone_vote),
    ]
}
