//! Who may change a queue item: an item someone has taken is theirs. Finishing, marking abnormal
//! or releasing another operator's item is refused with their name, unless the operator first
//! takes it over (a separate, audited change). Taking an abnormal item keeps it abnormal.

use super::message::Message;
use super::queue::WorkStatus;

/// What an operator asks of a queue item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemChange {
    Take,
    /// Take an item another operator holds.
    TakeOver,
    Release,
    Finish,
    MarkAbnormal,
}

impl ItemChange {
    /// The audit trail's name of the change.
    pub fn action(self) -> &'static str {
        match self {
            ItemChange::Take => "take",
            ItemChange::TakeOver => "take_over",
            ItemChange::Release => "release",
            ItemChange::Finish => "finish",
            ItemChange::MarkAbnormal => "mark_abnormal",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ItemChange::Take => "认领",
            ItemChange::TakeOver => "接手",
            ItemChange::Release => "放回队列",
            ItemChange::Finish => "办结",
            ItemChange::MarkAbnormal => "标记异常",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            ItemChange::Take => "take",
            ItemChange::TakeOver => "take over",
            ItemChange::Release => "release",
            ItemChange::Finish => "finish",
            ItemChange::MarkAbnormal => "mark abnormal",
        }
    }

    /// The change a plain status word of the CLI or an import asks for.
    pub fn to_status(to: WorkStatus) -> ItemChange {
        match to {
            WorkStatus::InProgress => ItemChange::Take,
            WorkStatus::Waiting => ItemChange::Release,
            WorkStatus::Done => ItemChange::Finish,
            WorkStatus::Abnormal => ItemChange::MarkAbnormal,
        }
    }
}

/// An item's status and who holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemState {
    pub status: WorkStatus,
    pub taken_by: Option<String>,
}

impl ItemState {
    /// Whether someone other than `operator` holds the item.
    fn held_by_other(&self, operator: &str) -> Option<&str> {
        self.taken_by
            .as_deref()
            .filter(|who| !who.is_empty() && *who != operator)
    }
}

/// The state `change` by `operator` leads to, or why it is refused.
pub fn apply(
    id: i64,
    current: &ItemState,
    change: ItemChange,
    operator: &str,
) -> Result<ItemState, Message> {
    if current.status == WorkStatus::Done {
        return Err(Message::new(
            format!("队列事项 #{id} 已办结，不能再{}", change.name_zh()),
            format!(
                "queue item #{id} is already done; it cannot {}",
                change.name_en()
            ),
        ));
    }
    let other = current.held_by_other(operator);
    if let Some(who) = other
        && change != ItemChange::TakeOver
    {
        return Err(Message::new(
            format!(
                "队列事项 #{id} 已由 {who} 认领，不能{}；如需处理，请先接手（控制台按 T，或 aeo item takeover {id}），接手记入审计",
                change.name_zh()
            ),
            format!(
                "queue item #{id} is already taken by {who}: you cannot {} it; take it over first (T in the console, or aeo item takeover {id}), which is audited",
                change.name_en()
            ),
        ));
    }
    let mine = current.taken_by.as_deref() == Some(operator);
    // Taking keeps 异常: an abnormal item stays abnormal until it is finished.
    let held = |taken_by: Option<String>| ItemState {
        status: if current.status == WorkStatus::Abnormal {
            WorkStatus::Abnormal
        } else {
            WorkStatus::InProgress
        },
        taken_by,
    };
    match change {
        ItemChange::Take | ItemChange::TakeOver => {
            if mine {
                return Err(Message::new(
                    format!("队列事项 #{id} 已由您认领"),
                    format!("queue item #{id} is already yours"),
                ));
            }
            if change == ItemChange::TakeOver && other.is_none() {
                return Err(Message::new(
                    format!("队列事项 #{id} 没有人认领，无需接手；直接认领即可（t）"),
                    format!("nobody holds queue item #{id}: take it (t) instead of taking it over"),
                ));
            }
            Ok(held(Some(operator.to_string())))
        }
        ItemChange::Release => {
            if current.taken_by.is_none() {
                return Err(Message::new(
                    format!("队列事项 #{id} 没有人认领，无需放回"),
                    format!("queue item #{id} is not taken by anyone; nothing to release"),
                ));
            }
            Ok(ItemState {
                status: if current.status == WorkStatus::Abnormal {
                    WorkStatus::Abnormal
                } else {
                    WorkStatus::Waiting
                },
                taken_by: None,
            })
        }
        ItemChange::Finish => Ok(ItemState {
            status: WorkStatus::Done,
            taken_by: Some(operator.to_string()),
        }),
        ItemChange::MarkAbnormal => {
            if current.status == WorkStatus::Abnormal {
                return Err(Message::new(
                    format!("队列事项 #{id} 已是异常"),
                    format!("queue item #{id} is already abnormal"),
                ));
            }
            Ok(ItemState {
                status: WorkStatus::Abnormal,
                taken_by: Some(operator.to_string()),
            })
        }
    }
}

/// Undoing a change puts the item back as it was, as a new change; refused when the item has
/// changed since (another operator acted on it).
pub fn check_undo(id: i64, current: &ItemState, after: &ItemState) -> Result<(), Message> {
    if current == after {
        return Ok(());
    }
    let who = current.taken_by.as_deref().unwrap_or("-");
    Err(Message::new(
        format!(
            "队列事项 #{id} 已被再次更改（现为{}，{who}），不能撤销",
            current.status.name_zh()
        ),
        format!(
            "queue item #{id} has changed since (now {}, {who}); it cannot be undone",
            current.status.name_en()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::Lang;

    fn state(status: WorkStatus, by: Option<&str>) -> ItemState {
        ItemState {
            status,
            taken_by: by.map(str::to_string),
        }
    }

    #[test]
    fn another_operators_item_cannot_be_finished_marked_or_released() {
        let held = state(WorkStatus::InProgress, Some("alice"));
        for change in [
            ItemChange::Finish,
            ItemChange::MarkAbnormal,
            ItemChange::Release,
            ItemChange::Take,
        ] {
            let err = apply(7, &held, change, "bob").unwrap_err();
            assert!(err.text(Lang::Zh).contains("alice"), "{err:?}");
            assert!(err.text(Lang::En).contains("taken by alice"), "{err:?}");
        }
    }

    #[test]
    fn taking_over_makes_it_yours_and_then_you_may_finish() {
        let held = state(WorkStatus::InProgress, Some("alice"));
        let mine = apply(7, &held, ItemChange::TakeOver, "bob").unwrap();
        assert_eq!(mine, state(WorkStatus::InProgress, Some("bob")));
        let done = apply(7, &mine, ItemChange::Finish, "bob").unwrap();
        assert_eq!(done, state(WorkStatus::Done, Some("bob")));
    }

    #[test]
    fn taking_an_abnormal_item_keeps_it_abnormal() {
        let abnormal = state(WorkStatus::Abnormal, None);
        let taken = apply(3, &abnormal, ItemChange::Take, "bob").unwrap();
        assert_eq!(taken, state(WorkStatus::Abnormal, Some("bob")));
        let over = apply(
            3,
            &state(WorkStatus::Abnormal, Some("alice")),
            ItemChange::TakeOver,
            "bob",
        )
        .unwrap();
        assert_eq!(over.status, WorkStatus::Abnormal);
        let released = apply(3, &taken, ItemChange::Release, "bob").unwrap();
        assert_eq!(released, state(WorkStatus::Abnormal, None));
    }

    #[test]
    fn the_holder_and_unheld_items_work_as_before() {
        let waiting = state(WorkStatus::Waiting, None);
        assert_eq!(
            apply(1, &waiting, ItemChange::Finish, "bob").unwrap(),
            state(WorkStatus::Done, Some("bob"))
        );
        let mine = state(WorkStatus::InProgress, Some("bob"));
        assert_eq!(
            apply(1, &mine, ItemChange::Release, "bob").unwrap(),
            waiting
        );
        assert!(apply(1, &mine, ItemChange::Take, "bob").is_err());
        assert!(apply(1, &waiting, ItemChange::TakeOver, "bob").is_err());
        assert!(apply(1, &waiting, ItemChange::Release, "bob").is_err());
        let done = state(WorkStatus::Done, Some("bob"));
        assert!(apply(1, &done, ItemChange::TakeOver, "carol").is_err());
    }

    #[test]
    fn undo_is_refused_once_someone_else_changed_the_item() {
        let after = state(WorkStatus::Done, Some("bob"));
        assert!(check_undo(1, &after, &after).is_ok());
        let since = state(WorkStatus::InProgress, Some("alice"));
        let err = check_undo(1, &since, &after).unwrap_err();
        assert!(err.zh().contains("不能撤销") && err.en().contains("cannot be undone"));
    }
}
