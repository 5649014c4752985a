//! `loova settings [KEY [VALUE]]`: the same settings as the app's Settings
//! screen, read and checked by `loova_core::settings`.

use crate::{print_json, Done, Failure};
use clap::Args;
use loova_core::settings::{self, SettingKey, SettingView};

#[derive(Args)]
pub struct SettingsArgs {
    /// One setting (default: list them all).
    key: Option<String>,
    /// Its new value.
    #[arg(conflicts_with = "reset")]
    value: Option<String>,
    /// Set KEY back to its default.
    #[arg(long, requires = "key")]
    reset: bool,
    #[arg(long)]
    json: bool,
}

pub fn run(args: SettingsArgs) -> Done {
    let db = loova_core::store::Db::open_in(&loova_core::paths::data_dir()).map_err(Failure::failed)?;
    let result = match &args.key {
        None => settings::list(&db),
        Some(name) => SettingKey::parse(name).and_then(|key| {
            match (&args.value, args.reset) {
                (Some(value), _) => settings::set(&db, key, value),
                (None, true) => settings::reset(&db, key),
                (None, false) => settings::view(&db, key),
            }
            .map(|v| vec![v])
        }),
    };
    match result {
        Ok(views) if args.json => {
            print_json(&views);
            Ok(())
        }
        Ok(views) => {
            print(&views, args.key.is_some());
            Ok(())
        }
        Err(e) => {
            let bad = e.is_bad_input();
            Err(Failure::new(e, bad))
        }
    }
}

fn print(views: &[SettingView], one: bool) {
    if one {
        // One key: only its value, for scripts (`$(loova settings KEY)`).
        if let Some(v) = views.first() {
            println!("{}", v.value);
        }
        return;
    }
    let width = views.iter().map(|v| v.key.len()).max().unwrap_or(0);
    for v in views {
        let default = if v.is_default { "  (default)" } else { "" };
        println!("{:width$}  {}{default}", v.key, v.value);
    }
}
