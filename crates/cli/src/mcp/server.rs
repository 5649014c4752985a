//! The MCP server: its tools (each a thin call into loova-core, see the
//! sibling files), its resources, and the one gate every call passes: no
//! argument may carry an API key.

use super::jobs::{JobId, ListInput};
use super::pricing::PreviewInput;
use super::queue::QueueInput;
use super::usage::UsageInput;
use super::{reply, resources};
use loova_core::accounts::Accounts;
use loova_core::engine::{Engine, EngineError, EngineLock, JobAction};
use loova_core::store::Db;
use loova_core::ErrorCode;
use rmcp::handler::server::{router::tool::ToolRouter, tool::ToolCallContext, wrapper::Parameters};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{tool, tool_handler, tool_router, ErrorData, RoleServer, ServerHandler};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct LoovaMcp {
    db: Arc<Db>,
    accounts: Accounts,
    data_dir: PathBuf,
    /// Set with `--run`: this process runs the queue.
    engine: Option<Engine>,
    tool_router: ToolRouter<LoovaMcp>,
}

impl LoovaMcp {
    pub fn new(db: Arc<Db>, accounts: Accounts, data_dir: PathBuf, engine: Option<Engine>) -> LoovaMcp {
        LoovaMcp { db, accounts, data_dir, engine, tool_router: Self::tool_router() }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The price list in force now (read per call: `loova prices import`
    /// while the server runs applies to the next plan).
    pub fn prices(&self) -> loova_core::LoadedPriceList {
        loova_core::load_price_list(&self.data_dir)
    }

    /// Queued jobs are sent at once by this process's engine (with `--run`);
    /// another engine notices within a second by itself.
    pub fn wake_engine(&self) {
        if let Some(e) = &self.engine {
            e.wake();
        }
    }

    /// Who sends the queued jobs, or what a person does so that they are sent.
    pub fn engine_status(&self) -> String {
        if self.engine.is_some() {
            return "This server runs the queue (`loova mcp --run`): it sends the jobs now.".into();
        }
        // Taking the lock for a moment is the only reliable question: the OS
        // releases a crashed engine's lock, so a held lock is a live engine.
        match EngineLock::acquire(&self.data_dir) {
            Ok(_free) => "No engine is running, so nothing is sent yet: open the Loova Desk app, or run `loova run` in a terminal (or start this server as `loova mcp --run`).".into(),
            Err(EngineError::AlreadyRunning) => "The Loova Desk app (or `loova run`) is running this queue: it sends the jobs.".into(),
            Err(e) => loova_core::engine::status_when_not_running(&e),
        }
    }
}

#[tool_router]
impl LoovaMcp {
    #[tool(
        description = "Price one Seedance 2.0 job and list what is wrong with it (each problem with its fix): credits, the rate, the dollar range by API credit pack, which credit pool pays. Free and offline: nothing is sent, nothing is charged."
    )]
    async fn preview_cost(&self, Parameters(input): Parameters<PreviewInput>) -> CallToolResult {
        super::pricing::preview_cost(&input, &self.prices())
    }

    #[tool(
        description = "The Loova accounts: names, API Credits (and how old that figure is), App Credits, budget left today and this month, slots in use. Free; never shows a key."
    )]
    async fn list_accounts(&self) -> CallToolResult {
        super::accounts::list_accounts(self)
    }

    #[tool(
        description = "Plan and queue video jobs on an account. Without confirm it only answers with the priced plan (free, nothing queued). With confirm: true and total_credits equal to the plan's total it queues them in Loova Desk's queue, which sends them (at most 6 at once per account, within the account's budget): each job is then CHARGED its credits by Loova. A plan over the account's daily or monthly budget is refused and nothing is queued."
    )]
    async fn queue_jobs(&self, Parameters(input): Parameters<QueueInput>) -> CallToolResult {
        super::queue::queue_jobs(self, &input)
    }

    #[tool(
        description = "List jobs (filters: batch, state, account): state, progress, estimate vs charge, the saved video's path and its recipe resource. Free."
    )]
    async fn list_jobs(&self, Parameters(input): Parameters<ListInput>) -> CallToolResult {
        super::jobs::list_jobs(self, &input)
    }

    #[tool(description = "One job's state, progress, estimate vs charge, error and the saved video's path. Free.")]
    async fn job_status(&self, Parameters(JobId { id }): Parameters<JobId>) -> CallToolResult {
        super::jobs::job_status(self, id)
    }

    #[tool(description = "Cancel a job that is still queued (nothing was sent, nothing is charged). A job already sent cannot be canceled.")]
    async fn cancel_job(&self, Parameters(JobId { id }): Parameters<JobId>) -> CallToolResult {
        super::jobs::act(self, id, JobAction::Cancel)
    }

    #[tool(description = "Queue a failed, invalid, expired or canceled job again. It becomes a new task: it is CHARGED again.")]
    async fn retry_job(&self, Parameters(JobId { id }): Parameters<JobId>) -> CallToolResult {
        super::jobs::act(self, id, JobAction::Retry)
    }

    #[tool(description = "What was charged, grouped by day, week, month, model, account or batch (local days); the same totals as `loova usage`. Free.")]
    async fn usage(&self, Parameters(input): Parameters<UsageInput>) -> CallToolResult {
        super::usage::usage(self, &input)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for LoovaMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_resources().enable_tools().build())
            .with_server_info(Implementation::new("loova-desk", loova_core::VERSION))
            .with_instructions(
                "Loova Desk prices and queues Seedance 2.0 video jobs on the person's Loova accounts. preview_cost and queue_jobs without confirm are free; \
                 queue_jobs with confirm and retry_job spend credits. Show the person the plan and its total before confirming.",
            )
    }

    async fn call_tool(&self, request: CallToolRequestParams, context: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        if let Some(field) = request.arguments.as_ref().and_then(super::secrets::key_in_arguments) {
            let said = format!(
                "Refused: the argument \"{field}\" looks like an API key. This server never takes keys; a person adds accounts in the Loova Desk app or with `loova accounts add --key-stdin`."
            );
            return Ok(reply::error(ErrorCode::InvalidInput, said, Some(&field)).into());
        }
        let tcc = ToolCallContext::new(self, request, context);
        // Arguments that do not fit the schema are the caller's to fix: rmcp
        // answers them (as a protocol error or a bare tool error) before our
        // code runs; they become tool errors with a code, like every other.
        let schema =
            |why: &str| reply::error(ErrorCode::InvalidInput, format!("The arguments do not fit the tool's input schema ({why}). Nothing was done."), None);
        match self.tool_router.call(tcc).await {
            Err(e) if e.code == rmcp::model::ErrorCode::INVALID_PARAMS => Ok(schema(&e.message).into()),
            Ok(CallToolResponse::Complete(r)) if r.is_error == Some(true) && r.structured_content.is_none() => {
                let why: Vec<String> = r.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.clone()).collect();
                Ok(schema(&why.join("; ")).into())
            }
            other => other,
        }
    }

    async fn list_resources(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list(self)?))
    }

    async fn read_resource(&self, request: ReadResourceRequestParams, _context: RequestContext<RoleServer>) -> Result<ReadResourceResponse, ErrorData> {
        Ok(resources::read(self, &request.uri)?.into())
    }
}
