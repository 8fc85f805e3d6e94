//! Paid campaigns: the plan kept on the campaign (objective, budget, targeting) and the results
//! per day imported from the ad managers or typed in. A day sent again replaces the stored one,
//! so importing the same export twice changes nothing; a batch of days is written in one
//! transaction, all or nothing.

use crate::sql::{rows_per_statement, tuples};
use crate::{Campaign, Result, Store, StoreError};
use jiff::civil::Date;
use relais_core::campaign_plan::{CampaignObjective, CampaignPlan};
use relais_core::campaign_results::DayResult;
use relais_core::kpi::{Currency, Money, Period, Scope};
use relais_core::now_ms;

/// How a day's results came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultSource {
    Import,
    Form,
    Api,
}

impl ResultSource {
    fn key(self) -> &'static str {
        match self {
            ResultSource::Import => "import",
            ResultSource::Form => "form",
            ResultSource::Api => "api",
        }
    }
}

/// A day of results with the currency of its campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyDay {
    pub currency: Currency,
    pub result: DayResult,
}

type Row = (String, i64, i64, i64, i64, i64);

fn day_result(row: Row) -> Option<DayResult> {
    let (day, spend_cents, impressions, clicks, conversions, conversion_value_cents) = row;
    Some(DayResult {
        day: day.parse().ok()?,
        spend_cents,
        impressions: impressions.max(0) as u64,
        clicks: clicks.max(0) as u64,
        conversions: conversions.max(0) as u64,
        conversion_value_cents,
    })
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Campaign {
    /// The plan as the domain reads it (what the database holds was validated when saved).
    pub fn plan(&self) -> CampaignPlan {
        let currency = self.currency();
        CampaignPlan {
            objective: self.objective.as_deref().and_then(CampaignObjective::from_key),
            budget: self.budget_cents.map(|c| Money::new(c, currency)),
            currency,
            targeting: self.targeting.clone(),
            locations: self.locations.clone(),
            age_min: self.age_min.and_then(|a| u8::try_from(a).ok()),
            age_max: self.age_max.and_then(|a| u8::try_from(a).ok()),
        }
    }

    pub fn currency(&self) -> Currency {
        Currency::parse(&self.currency).unwrap_or(Currency::EUR)
    }

    /// Its dates as a period, when it has both.
    pub fn period(&self) -> Option<Period> {
        let day = |d: &Option<String>| d.as_deref().and_then(|d| d.parse::<Date>().ok());
        Period::new(day(&self.starts_on)?, day(&self.ends_on)?).ok()
    }
}

impl Store {
    /// Saves a campaign's plan. Its currency cannot change once it has results: they were
    /// reported in the old one (a `Conflict` says so).
    pub async fn save_campaign_plan(&self, workspace_id: &str, campaign_id: &str, plan: &CampaignPlan) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let current: Option<String> = sqlx::query_scalar("SELECT currency FROM campaigns WHERE id = $1 AND workspace_id = $2")
            .bind(campaign_id)
            .bind(workspace_id)
            .fetch_optional(&mut *tx)
            .await?;
        let current = current.ok_or(StoreError::NotFound("campaign"))?;
        if current != plan.currency.as_str() {
            let results: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaign_results WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_one(&mut *tx)
                .await?;
            if results > 0 {
                return Err(StoreError::Conflict(format!(
                    "this campaign has {results} days of results in {current}; delete them before changing its currency to {}",
                    plan.currency
                )));
            }
        }
        sqlx::query(
            "UPDATE campaigns SET objective = $1, budget_cents = $2, currency = $3, targeting = $4, locations = $5, age_min = $6,
             age_max = $7 WHERE id = $8 AND workspace_id = $9",
        )
        .bind(plan.objective.map(|o| o.key()))
        .bind(plan.budget.map(|b| b.cents))
        .bind(plan.currency.as_str())
        .bind(&plan.targeting)
        .bind(&plan.locations)
        .bind(plan.age_min.map(i64::from))
        .bind(plan.age_max.map(i64::from))
        .bind(campaign_id)
        .bind(workspace_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.campaign(workspace_id, campaign_id).await
    }

    /// Stores days of results of a campaign of the workspace, replacing the days already there,
    /// in one transaction. Returns how many days were written.
    pub async fn record_campaign_results(
        &self,
        workspace_id: &str,
        campaign_id: &str,
        days: &[DayResult],
        source: ResultSource,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let found: Option<String> = sqlx::query_scalar("SELECT id FROM campaigns WHERE id = $1 AND workspace_id = $2")
            .bind(campaign_id)
            .bind(workspace_id)
            .fetch_optional(&mut *tx)
            .await?;
        found.ok_or(StoreError::NotFound("campaign"))?;
        const WIDTH: usize = 10;
        let now = now_ms();
        for chunk in days.chunks(rows_per_statement(WIDTH)) {
            let sql = format!(
                "INSERT INTO campaign_results (campaign_id, workspace_id, day, spend_cents, impressions, clicks, conversions,
                   conversion_value_cents, source, updated_at) VALUES {}
                 ON CONFLICT (campaign_id, day) DO UPDATE SET spend_cents = excluded.spend_cents,
                   impressions = excluded.impressions, clicks = excluded.clicks, conversions = excluded.conversions,
                   conversion_value_cents = excluded.conversion_value_cents, source = excluded.source,
                   updated_at = excluded.updated_at",
                tuples(1, chunk.len(), WIDTH)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for d in chunk {
                q = q
                    .bind(campaign_id)
                    .bind(workspace_id)
                    .bind(d.day.to_string())
                    .bind(d.spend_cents)
                    .bind(count(d.impressions))
                    .bind(count(d.clicks))
                    .bind(count(d.conversions))
                    .bind(d.conversion_value_cents)
                    .bind(source.key())
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(days.len() as u64)
    }

    /// A campaign's results, by day.
    pub async fn campaign_results(&self, workspace_id: &str, campaign_id: &str) -> Result<Vec<DayResult>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT day, spend_cents, impressions, clicks, conversions, conversion_value_cents FROM campaign_results
             WHERE workspace_id = $1 AND campaign_id = $2 ORDER BY day",
        )
        .bind(workspace_id)
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().filter_map(day_result).collect())
    }

    /// Takes one day's results off a campaign.
    pub async fn delete_campaign_result(&self, workspace_id: &str, campaign_id: &str, day: Date) -> Result<()> {
        let done = sqlx::query("DELETE FROM campaign_results WHERE workspace_id = $1 AND campaign_id = $2 AND day = $3")
            .bind(workspace_id)
            .bind(campaign_id)
            .bind(day.to_string())
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("campaign result"));
        }
        Ok(())
    }

    /// The results of `scope` (a campaign, or every campaign of the workspace) from `first` to
    /// `last`, with their currencies, by day. Other scopes have no paid results: none.
    pub async fn scope_campaign_results(&self, workspace_id: &str, scope: &Scope, first: Date, last: Date) -> Result<Vec<CurrencyDay>> {
        let campaign = match scope {
            Scope::Workspace => None,
            Scope::Campaign(id) => Some(id.clone()),
            _ => return Ok(vec![]),
        };
        let only = if campaign.is_some() { " AND r.campaign_id = $4" } else { "" };
        let sql = format!(
            "SELECT c.currency, r.day, r.spend_cents, r.impressions, r.clicks, r.conversions, r.conversion_value_cents
             FROM campaign_results r JOIN campaigns c ON c.id = r.campaign_id
             WHERE r.workspace_id = $1 AND r.day >= $2 AND r.day <= $3{only} ORDER BY r.day"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(first.to_string())
            .bind(last.to_string());
        if let Some(id) = campaign {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(currency, day, a, b, c, d, e)| {
                Some(CurrencyDay { currency: Currency::parse(&currency).ok()?, result: day_result((day, a, b, c, d, e))? })
            })
            .collect())
    }
}
