//! The sandbox simulator's synthetic audience: who reacts to an account's sandbox posts, how and
//! when, decided deterministically from each post's id and publication time, so that every
//! Relais process (and every fetch) sees the same community with the same ids. Nothing here
//! touches storage; the simulator keeps what the clock has reached.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use relais_store::AudienceEvent;

/// Someone of the simulated community.
pub struct Person {
    pub handle: &'static str,
    pub name: &'static str,
    pub language: &'static str,
}

pub const PEOPLE: &[Person] = &[
    Person { handle: "julie.morel", name: "Julie Morel", language: "fr" },
    Person { handle: "marc_dijon", name: "Marc Lefèvre", language: "fr" },
    Person { handle: "amelie.b", name: "Amélie Bonnet", language: "fr" },
    Person { handle: "thomas.viticulteur", name: "Thomas Garnier", language: "fr" },
    Person { handle: "nadia.k", name: "Nadia Kaci", language: "fr" },
    Person { handle: "paul_beaune", name: "Paul Girard", language: "fr" },
    Person { handle: "claire.atelier", name: "Claire Roux", language: "fr" },
    Person { handle: "emma.writes", name: "Emma Clarke", language: "en" },
    Person { handle: "dan.travels", name: "Daniel Price", language: "en" },
    Person { handle: "sarah_in_lyon", name: "Sarah Mitchell", language: "en" },
    Person { handle: "ben.bakes", name: "Ben Turner", language: "en" },
    Person { handle: "li.wei", name: "Li Wei", language: "en" },
];

/// Messages of the audience by language and intent.
struct Lines {
    questions: &'static [&'static str],
    complaints: &'static [&'static str],
    praise: &'static [&'static str],
    mentions: &'static [&'static str],
    direct: &'static [&'static str],
    asides: &'static [&'static str],
    follow_ups: &'static [&'static str],
}

const FRENCH: Lines = Lines {
    questions: &[
        "Bonjour, est-ce que c'est aussi valable pour les auto-entrepreneurs ?",
        "Quels sont les horaires d'ouverture samedi ?",
        "Combien de temps faut-il pour avoir une réponse ?",
        "On peut prendre rendez-vous en ligne ou il faut appeler ?",
        "C'est disponible dans toutes vos agences ?",
    ],
    complaints: &[
        "Ça fait trois jours que j'attends un retour, personne ne répond au téléphone…",
        "L'application plante dès que j'ouvre mes comptes, c'est pénible.",
        "Déçu : le lien de votre publication ne fonctionne pas.",
        "Toujours pas de nouvelles de mon dossier, c'est long.",
    ],
    praise: &[
        "Super initiative, bravo à toute l'équipe !",
        "Accueil au top hier en agence, merci Camille 👏",
        "J'adore, enfin une marque qui pense aux artisans.",
        "Très belle photo, ça donne envie !",
    ],
    mentions: &[
        "Quelqu'un a déjà testé le service client de {handle} ? Retour d'expérience bienvenu.",
        "Merci {handle} pour la rapidité, dossier bouclé en 48 h !",
        "{handle} vous serez à la foire de Beaune ce week-end ?",
    ],
    direct: &[
        "Bonjour, je n'arrive pas à me connecter à mon espace client, pouvez-vous m'aider ?",
        "Bonjour, j'aimerais un rendez-vous avec un conseiller la semaine prochaine.",
    ],
    asides: &["Pareil pour moi, je me pose la même question.", "Il me semble que c'est expliqué sur leur site."],
    follow_ups: &["Vous pouvez confirmer ?", "Je veux bien une réponse officielle aussi 🙂"],
};

const ENGLISH: Lines = Lines {
    questions: &[
        "Hi! Is this available outside of France too?",
        "What time do you open on Saturdays?",
        "How long does it usually take to get an answer?",
        "Can I book an appointment online?",
    ],
    complaints: &[
        "Still waiting for someone to get back to me, it's been a week.",
        "The app keeps crashing when I log in. Please fix it.",
        "The link in your post is broken.",
    ],
    praise: &["Love this, great job!", "Amazing service yesterday, thank you so much.", "Beautiful picture 😍"],
    mentions: &["Has anyone tried {handle}? Looking for honest feedback.", "Big thanks to {handle} for the quick help today!"],
    direct: &["Hello, I can't access my account, could you help?", "Hi, could someone call me back about my application?"],
    asides: &["Same question here.", "I think they answered this on their website."],
    follow_ups: &["Could you confirm?", "An official answer would be great 🙂"],
};

/// How long after a post the audience keeps reacting.
pub const ACTIVE_DAYS: i64 = 3;

pub(crate) fn seed_of(text: &str) -> u64 {
    // FNV-1a: stable across builds and platforms, unlike the standard library's hasher.
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn pick<'a>(rng: &mut StdRng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Everything the audience will do around the post `post_id` of the account (published at
/// `published_at`), at whatever time: the caller keeps what the clock has reached.
pub fn reactions_to(account_id: &str, handle: &str, post_id: &str, published_at: i64) -> Vec<AudienceEvent> {
    let mut rng = StdRng::seed_from_u64(seed_of(post_id));
    let count = rng.gen_range(8..16);
    let mut at = published_at;
    let mut out: Vec<AudienceEvent> = Vec::with_capacity(count + 4);
    let mut last_reply: Option<String> = None;
    for i in 0..count {
        // The first reaction within minutes, then sparser ones over the following days.
        let gap_minutes = if i == 0 { rng.gen_range(1..3) } else { rng.gen_range(2..(40 * i as i64 + 3)) };
        at = (at + gap_minutes * 60_000).min(published_at + ACTIVE_DAYS * 86_400_000);
        let person = &PEOPLE[rng.gen_range(0..PEOPLE.len())];
        let lines = if person.language == "fr" { &FRENCH } else { &ENGLISH };
        let id = format!("sbx-{post_id}-{i}");
        let base = AudienceEvent {
            id: id.clone(),
            account_id: account_id.to_string(),
            kind: String::new(),
            author_handle: format!("@{}", person.handle),
            author_name: person.name.to_string(),
            text: String::new(),
            language: Some(person.language.to_string()),
            subject_id: Some(post_id.to_string()),
            parent_id: None,
            root_id: None,
            created_at: at,
        };
        // Every post gets at least one comment: the second reaction is a reply.
        let roll = if i == 1 { 60 } else { rng.gen_range(0..100) };
        let event = match roll {
            0..=39 => AudienceEvent { kind: "like".into(), language: None, ..base },
            40..=49 => AudienceEvent { kind: "repost".into(), language: None, ..base },
            50..=57 => AudienceEvent { kind: "follow".into(), language: None, subject_id: None, ..base },
            58..=79 => {
                let text = match rng.gen_range(0..3) {
                    0 => pick(&mut rng, lines.questions),
                    1 => pick(&mut rng, lines.complaints),
                    _ => pick(&mut rng, lines.praise),
                };
                // Now and then someone answers an earlier reply rather than the post.
                let parent = match &last_reply {
                    Some(r) if rng.gen_bool(0.3) => r.clone(),
                    _ => post_id.to_string(),
                };
                last_reply = Some(id.clone());
                AudienceEvent {
                    kind: "reply".into(),
                    text: text.into(),
                    parent_id: Some(parent.clone()),
                    root_id: Some(post_id.into()),
                    subject_id: Some(parent),
                    ..base
                }
            }
            80..=87 => {
                // Two members talk under the post; the account hears only of the second, which
                // answers the first: its context has to be asked for.
                let aside = AudienceEvent {
                    kind: "aside".into(),
                    text: pick(&mut rng, lines.asides).into(),
                    parent_id: Some(post_id.into()),
                    root_id: Some(post_id.into()),
                    ..base.clone()
                };
                let other = &PEOPLE
                    [(rng.gen_range(1..PEOPLE.len()) + PEOPLE.iter().position(|p| p.handle == person.handle).unwrap_or(0)) % PEOPLE.len()];
                let other_lines = if other.language == "fr" { &FRENCH } else { &ENGLISH };
                let follow_up = AudienceEvent {
                    id: format!("{id}-b"),
                    kind: "reply".into(),
                    author_handle: format!("@{}", other.handle),
                    author_name: other.name.into(),
                    language: Some(other.language.into()),
                    text: pick(&mut rng, other_lines.follow_ups).into(),
                    parent_id: Some(id.clone()),
                    root_id: Some(post_id.into()),
                    subject_id: Some(id.clone()),
                    created_at: at + 60_000,
                    ..base
                };
                out.push(aside);
                follow_up
            }
            88..=92 => AudienceEvent { kind: "quote".into(), text: pick(&mut rng, lines.praise).into(), ..base },
            93..=96 => AudienceEvent {
                kind: "mention".into(),
                text: pick(&mut rng, lines.mentions).replace("{handle}", handle),
                subject_id: None,
                ..base
            },
            _ => AudienceEvent { kind: "direct_message".into(), text: pick(&mut rng, lines.direct).into(), subject_id: None, ..base },
        };
        out.push(event);
    }
    out
}

const THANKS_FR: &[&str] =
    &["Merci pour votre réponse rapide !", "Super, merci beaucoup 🙏", "Parfait, c'est noté, merci.", "Merci, je passe en agence demain."];
const THANKS_EN: &[&str] = &["Thanks for getting back to me!", "Great, thank you so much 🙏", "Perfect, noted. Thanks!"];

/// The audience member's answer to a reply the account wrote them (`answered` is their message),
/// a few minutes after it: the conversation goes on.
pub fn thanks_for(reply_id: &str, replied_at: i64, answered: &AudienceEvent) -> AudienceEvent {
    let mut rng = StdRng::seed_from_u64(seed_of(reply_id));
    let french = answered.language.as_deref() != Some("en");
    let text = pick(&mut rng, if french { THANKS_FR } else { THANKS_EN });
    // Direct messages are answered in private; the rest in the thread, under the account's reply.
    let private = answered.kind == "direct_message";
    AudienceEvent {
        id: format!("sbx-thanks-{reply_id}"),
        account_id: answered.account_id.clone(),
        kind: if private { "direct_message" } else { "reply" }.into(),
        author_handle: answered.author_handle.clone(),
        author_name: answered.author_name.clone(),
        text: text.into(),
        language: answered.language.clone(),
        subject_id: (!private).then(|| reply_id.to_string()),
        parent_id: (!private).then(|| reply_id.to_string()),
        root_id: if private { None } else { answered.root_id.clone().or_else(|| Some(answered.id.clone())) },
        created_at: replied_at + rng.gen_range(2..10) * 60_000,
    }
}

/// How many accounts the account follows: fixed per account, for the metrics.
pub fn following_of(account_id: &str) -> i64 {
    12 + (seed_of(account_id) % 40) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_post_always_gets_the_same_audience() {
        let a = reactions_to("acc", "@banque", "post-1", 1_000_000);
        assert_eq!(a, reactions_to("acc", "@banque", "post-1", 1_000_000));
        assert_ne!(a, reactions_to("acc", "@banque", "post-2", 1_000_000));
        let mut ids: Vec<&str> = a.iter().map(|e| e.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), a.len(), "ids are unique");
    }

    #[test]
    fn every_post_gets_a_comment() {
        for n in 0..200 {
            assert!(reactions_to("acc", "@banque", &format!("post-{n}"), 0).iter().any(|e| e.kind == "reply"), "post-{n}");
        }
    }

    #[test]
    fn reactions_start_within_minutes_and_stop_after_the_active_days() {
        for n in 0..50 {
            let events = reactions_to("acc", "@banque", &format!("post-{n}"), 0);
            assert!(events[0].created_at <= 3 * 60_000, "{:?}", events[0]);
            assert!(events.iter().all(|e| e.created_at > 0 && e.created_at <= ACTIVE_DAYS * 86_400_000 + 60_000));
        }
    }

    #[test]
    fn the_audience_writes_in_french_and_english_and_every_kind_appears() {
        let all: Vec<AudienceEvent> = (0..60).flat_map(|n| reactions_to("acc", "@banque", &format!("p{n}"), 0)).collect();
        for kind in ["like", "repost", "follow", "reply", "aside", "quote", "mention", "direct_message"] {
            assert!(all.iter().any(|e| e.kind == kind), "no {kind}");
        }
        assert!(all.iter().any(|e| e.language.as_deref() == Some("fr") && e.kind == "reply"));
        assert!(all.iter().any(|e| e.language.as_deref() == Some("en") && e.kind == "reply"));
        assert!(all.iter().filter(|e| e.kind == "mention").all(|e| e.text.contains("@banque")));
        // Every reply hangs under something that exists: the post, or an earlier event.
        for e in all.iter().filter(|e| e.kind == "reply") {
            let parent = e.parent_id.as_deref().unwrap();
            assert!(parent.starts_with('p') || all.iter().any(|o| o.id == parent && o.created_at < e.created_at), "{e:?}");
        }
        assert!(all.iter().filter(|e| !matches!(e.kind.as_str(), "like" | "repost" | "follow")).all(|e| !e.text.is_empty()));
    }
}
