//! The life of a post, from idea to published, and who may move it where.
//!
//! idea → draft → in review → (client review) → approved → scheduled → publishing → published,
//! or failed, or cancelled. Moves made by people are checked against the role policy; the
//! publishing moves are the workers'.

use crate::policy::{Action, allows};
use crate::role::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    Idea,
    Draft,
    InReview,
    /// Approved by the agency, waiting for the client (workspaces that require it).
    ClientReview,
    Approved,
    Scheduled,
    Publishing,
    Published,
    Failed,
    Cancelled,
}

impl PostState {
    pub const ALL: [PostState; 10] = [
        PostState::Idea,
        PostState::Draft,
        PostState::InReview,
        PostState::ClientReview,
        PostState::Approved,
        PostState::Scheduled,
        PostState::Publishing,
        PostState::Published,
        PostState::Failed,
        PostState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Idea => "idea",
            PostState::Draft => "draft",
            PostState::InReview => "in_review",
            PostState::ClientReview => "client_review",
            PostState::Approved => "approved",
            PostState::Scheduled => "scheduled",
            PostState::Publishing => "publishing",
            PostState::Published => "published",
            PostState::Failed => "failed",
            PostState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<PostState> {
        PostState::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether a client member sees the post: only what the agency has sent on (client review)
    /// or approved, never its ideas, drafts, internal reviews or failures.
    pub fn visible_to_client(self) -> bool {
        matches!(self, PostState::ClientReview | PostState::Approved | PostState::Scheduled | PostState::Publishing | PostState::Published)
    }

    /// Whether the content may still change without going back through review.
    pub fn is_before_review(self) -> bool {
        matches!(self, PostState::Idea | PostState::Draft)
    }
}

/// Something a person does to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostAction {
    /// Turn an idea into a draft.
    StartDraft,
    SubmitForReview,
    Approve,
    Reject,
    /// The client's approval of what was sent to them.
    ClientApprove,
    ClientReject,
    Schedule,
    Unschedule,
    /// Put a failed post back in the schedule.
    Retry,
    Cancel,
    /// Change the text, media or targets.
    Edit,
}

/// The workspace's workflow options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkflowRules {
    /// Posts approved by the agency go to the client before they can be scheduled.
    pub client_approval: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("the {role} role may not {action:?} a post")]
    Forbidden { role: Role, action: PostAction },
    #[error("a post that is {} cannot be {action:?}", from.as_str())]
    NotFrom { from: PostState, action: PostAction },
}

/// Where `action` by `role` takes a post that is `from`.
pub fn apply(from: PostState, action: PostAction, role: Role, rules: WorkflowRules) -> Result<PostState, WorkflowError> {
    use PostAction as A;
    use PostState as S;
    let needs = match action {
        A::StartDraft | A::SubmitForReview | A::Schedule | A::Unschedule | A::Retry | A::Edit => Action::DraftPosts,
        A::Approve | A::Reject | A::Cancel => Action::ApprovePosts,
        A::ClientApprove | A::ClientReject => Action::ClientApprove,
    };
    if !allows(role, needs) {
        return Err(WorkflowError::Forbidden { role, action });
    }
    let to = match (from, action) {
        (S::Idea, A::StartDraft) => S::Draft,
        (S::Idea | S::Draft, A::SubmitForReview) => S::InReview,
        (S::InReview, A::Approve) if rules.client_approval => S::ClientReview,
        (S::InReview, A::Approve) => S::Approved,
        (S::InReview, A::Reject) => S::Draft,
        (S::ClientReview, A::ClientApprove) => S::Approved,
        (S::ClientReview, A::ClientReject) => S::Draft,
        (S::Approved, A::Schedule) => S::Scheduled,
        (S::Scheduled, A::Unschedule) => S::Approved,
        (S::Failed, A::Retry) => S::Scheduled,
        // Editing what was already reviewed sends it back to review.
        (S::Idea | S::Draft, A::Edit) => from,
        (S::InReview | S::ClientReview | S::Approved | S::Scheduled | S::Failed, A::Edit) => S::InReview,
        (S::Idea | S::Draft | S::InReview | S::ClientReview | S::Approved | S::Scheduled | S::Failed, A::Cancel) => S::Cancelled,
        _ => return Err(WorkflowError::NotFrom { from, action }),
    };
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostAction as A;
    use PostState as S;

    const PLAIN: WorkflowRules = WorkflowRules { client_approval: false };
    const WITH_CLIENT: WorkflowRules = WorkflowRules { client_approval: true };

    #[test]
    fn a_cm_drafts_and_submits_but_cannot_approve() {
        assert_eq!(apply(S::Idea, A::StartDraft, Role::Cm, PLAIN), Ok(S::Draft));
        assert_eq!(apply(S::Draft, A::SubmitForReview, Role::Cm, PLAIN), Ok(S::InReview));
        assert_eq!(apply(S::InReview, A::Approve, Role::Cm, PLAIN), Err(WorkflowError::Forbidden { role: Role::Cm, action: A::Approve }));
    }

    #[test]
    fn an_smm_approves_or_rejects_back_to_draft() {
        assert_eq!(apply(S::InReview, A::Approve, Role::Smm, PLAIN), Ok(S::Approved));
        assert_eq!(apply(S::InReview, A::Reject, Role::Smm, PLAIN), Ok(S::Draft));
    }

    #[test]
    fn with_client_approval_the_client_has_the_last_word() {
        assert_eq!(apply(S::InReview, A::Approve, Role::Smm, WITH_CLIENT), Ok(S::ClientReview));
        assert!(apply(S::ClientReview, A::Schedule, Role::Smm, WITH_CLIENT).is_err());
        assert_eq!(apply(S::ClientReview, A::ClientApprove, Role::Client, WITH_CLIENT), Ok(S::Approved));
        assert_eq!(apply(S::ClientReview, A::ClientReject, Role::Client, WITH_CLIENT), Ok(S::Draft));
        assert!(matches!(apply(S::ClientReview, A::ClientApprove, Role::Smm, WITH_CLIENT), Err(WorkflowError::Forbidden { .. })));
    }

    #[test]
    fn a_client_can_do_nothing_but_answer_what_was_sent() {
        for action in [A::StartDraft, A::SubmitForReview, A::Approve, A::Schedule, A::Edit, A::Cancel] {
            for from in PostState::ALL {
                assert!(
                    matches!(apply(from, action, Role::Client, WITH_CLIENT), Err(WorkflowError::Forbidden { .. })),
                    "{from:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn editing_an_approved_or_scheduled_post_sends_it_back_to_review() {
        for from in [S::Approved, S::Scheduled, S::ClientReview, S::InReview] {
            assert_eq!(apply(from, A::Edit, Role::Cm, PLAIN), Ok(S::InReview), "{from:?}");
        }
        assert_eq!(apply(S::Draft, A::Edit, Role::Cm, PLAIN), Ok(S::Draft));
    }

    #[test]
    fn only_approved_posts_are_scheduled_and_published_ones_never_change() {
        assert_eq!(apply(S::Approved, A::Schedule, Role::Cm, PLAIN), Ok(S::Scheduled));
        assert!(matches!(apply(S::Draft, A::Schedule, Role::Cm, PLAIN), Err(WorkflowError::NotFrom { .. })));
        for action in [A::Edit, A::Cancel, A::Schedule, A::Retry] {
            assert!(apply(S::Published, action, Role::Admin, PLAIN).is_err(), "{action:?}");
            assert!(apply(S::Publishing, action, Role::Admin, PLAIN).is_err(), "{action:?}");
        }
        assert_eq!(apply(S::Failed, A::Retry, Role::Cm, PLAIN), Ok(S::Scheduled));
    }

    #[test]
    fn a_client_sees_only_what_was_sent_on() {
        let seen: Vec<_> = PostState::ALL.into_iter().filter(|s| s.visible_to_client()).collect();
        assert_eq!(seen, vec![S::ClientReview, S::Approved, S::Scheduled, S::Publishing, S::Published]);
    }

    #[test]
    fn states_round_trip_through_text() {
        for s in PostState::ALL {
            assert_eq!(PostState::parse(s.as_str()), Some(s));
        }
    }
}
