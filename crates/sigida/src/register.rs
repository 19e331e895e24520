//! `sigida community …` and `sigida locality …`: a team's own communities and their
//! localities (`sigida_app::register`), the same use-cases as the pages.

use clap::Subcommand;
use sigida_app::common::lookup::community_by_slug;
use sigida_app::register::{
    CommunityDraft, LocalityDraft, archive_community, register_community, register_locality,
};
use sigida_core::Timestamp;
use sigida_core::geography::LocalityKind;

use crate::{Failure, Place, tr};

#[derive(Subcommand)]
pub enum CommunityCommand {
    /// Registers a community: its name and the P-code of the cercle it lies in (the region
    /// follows). Its short name (slug) is made from the name unless --slug gives it.
    Add {
        name: String,
        /// The cercle's P-code (COD-AB level 2, e.g. ML0101 for Kayes).
        #[arg(long)]
        cercle: String,
        #[arg(long, default_value = "")]
        slug: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Why the consultation chose it.
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long, requires = "longitude", allow_negative_numbers = true)]
        latitude: Option<f64>,
        #[arg(long, requires = "latitude", allow_negative_numbers = true)]
        longitude: Option<f64>,
        #[command(flatten)]
        place: Place,
    },
    /// Lists the communities, with their short names and localities.
    List {
        #[command(flatten)]
        place: Place,
    },
    /// Archives a community (kept with all it holds, no longer current); --restore brings it back.
    Archive {
        slug: String,
        #[arg(long)]
        restore: bool,
        #[command(flatten)]
        place: Place,
    },
}

#[derive(Subcommand)]
pub enum LocalityCommand {
    /// Adds a locality to a community.
    Add {
        /// The community's short name (sigida community list).
        community: String,
        name: String,
        /// village, quarter, town, gold_mining_site, border_post, flow_monitoring_point,
        /// displacement_site or other.
        #[arg(long, default_value = "village")]
        kind: String,
        /// The P-code of the smallest admin unit that holds it.
        #[arg(long, default_value = "")]
        pcode: String,
        #[arg(long, requires = "longitude", allow_negative_numbers = true)]
        latitude: Option<f64>,
        #[arg(long, requires = "latitude", allow_negative_numbers = true)]
        longitude: Option<f64>,
        #[arg(long)]
        population: Option<i64>,
        /// Where the population figure comes from (census, chief's estimate…).
        #[arg(long, default_value = "")]
        population_source: String,
        #[arg(long)]
        population_year: Option<i32>,
        #[command(flatten)]
        place: Place,
    },
}

impl CommunityCommand {
    pub async fn run(self) -> Result<(), Failure> {
        match self {
            CommunityCommand::Add {
                name,
                cercle,
                slug,
                description,
                reason,
                latitude,
                longitude,
                place,
            } => {
                let store = place.open().await?;
                let diagnostic = store.main_diagnostic().await?;
                let draft = CommunityDraft {
                    name,
                    slug,
                    cercle_pcode: cercle,
                    description,
                    selection_reason: reason,
                    latitude,
                    longitude,
                };
                let c =
                    register_community(&store, &diagnostic, &draft, None, Timestamp::now()).await?;
                println!(
                    "{}",
                    tr().fill(
                        "register.community_added",
                        &[
                            ("name", c.name.as_str()),
                            ("slug", c.slug.as_str()),
                            ("cercle", c.cercle_pcode.as_str()),
                        ],
                    )
                );
                Ok(())
            }
            CommunityCommand::List { place } => {
                let store = place.open().await?;
                let diagnostic = store.main_diagnostic().await?;
                let communities = store.communities(diagnostic.id).await?;
                if communities.is_empty() {
                    println!("{}", tr().t("register.no_community"));
                }
                for c in communities {
                    let localities = store.localities(c.id).await?;
                    let names: Vec<&str> = localities.iter().map(|l| l.name.as_str()).collect();
                    println!(
                        "{:<20} {}{} — {} ({})",
                        c.slug,
                        c.name,
                        if c.archived_at.is_some() {
                            format!(" [{}]", tr().t("register.archived"))
                        } else {
                            String::new()
                        },
                        c.cercle_pcode,
                        names.join(", ")
                    );
                }
                Ok(())
            }
            CommunityCommand::Archive {
                slug,
                restore,
                place,
            } => {
                let store = place.open().await?;
                let c = community_by_slug(&store, &slug).await?;
                let c = archive_community(&store, &c, !restore, None, Timestamp::now()).await?;
                let key = if restore {
                    "register.restored"
                } else {
                    "register.archived_now"
                };
                println!("{}", tr().fill(key, &[("name", c.name.as_str())]));
                Ok(())
            }
        }
    }
}

impl LocalityCommand {
    pub async fn run(self) -> Result<(), Failure> {
        match self {
            LocalityCommand::Add {
                community,
                name,
                kind,
                pcode,
                latitude,
                longitude,
                population,
                population_source,
                population_year,
                place,
            } => {
                let kind: LocalityKind = kind.parse().map_err(|e: sigida_core::UnknownCode| {
                    Failure::Input(format!("--kind : {e}"))
                })?;
                let store = place.open().await?;
                let community = community_by_slug(&store, &community).await?;
                let draft = LocalityDraft {
                    name,
                    kind,
                    admin_pcode: pcode,
                    latitude,
                    longitude,
                    population,
                    population_source,
                    population_year,
                };
                let l =
                    register_locality(&store, &community, &draft, None, Timestamp::now()).await?;
                println!(
                    "{}",
                    tr().fill(
                        "register.locality_added",
                        &[
                            ("name", l.name.as_str()),
                            ("community", community.name.as_str())
                        ],
                    )
                );
                Ok(())
            }
        }
    }
}
