//! Words that differ between the systems Loova Desk runs on: where its icon
//! lives while the window is closed, the quit shortcut, an example path.
//! Each is a pure function of the [`Os`], so every system's wording is
//! tested on any one machine; [`Os::current`] picks the one shown.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    MacOs,
    Windows,
}

impl Os {
    /// The system this build runs on (other Unixes read as Linux: the same
    /// desktops and keyrings).
    pub const fn current() -> Os {
        if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        }
    }

    /// Where the app's icon is while the window is closed, as in "in the
    /// tray": macOS calls it the menu bar.
    pub const fn tray(self) -> &'static str {
        match self {
            Os::MacOs => "menu bar",
            Os::Linux | Os::Windows => "tray",
        }
    }

    /// The quit shortcut in the window.
    pub const fn quit_keys(self) -> &'static str {
        match self {
            Os::MacOs => "Cmd+Q",
            Os::Linux | Os::Windows => "Ctrl+Q",
        }
    }

    /// A home folder to show in examples when the real one is unknown.
    pub const fn example_home(self) -> &'static str {
        match self {
            Os::Linux => "/home/you",
            Os::MacOs => "/Users/you",
            Os::Windows => r"C:\Users\you",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Os;

    #[test]
    fn each_system_gets_its_own_words() {
        assert_eq!((Os::MacOs.tray(), Os::MacOs.quit_keys()), ("menu bar", "Cmd+Q"));
        assert_eq!((Os::Windows.tray(), Os::Windows.quit_keys()), ("tray", "Ctrl+Q"));
        assert_eq!((Os::Linux.tray(), Os::Linux.quit_keys()), ("tray", "Ctrl+Q"));
        assert_eq!(Os::Windows.example_home(), r"C:\Users\you");
        assert_eq!(Os::MacOs.example_home(), "/Users/you");
    }

    #[test]
    fn the_current_system_is_the_build_target() {
        let expected = if cfg!(target_os = "macos") {
            Os::MacOs
        } else if cfg!(windows) {
            Os::Windows
        } else {
            Os::Linux
        };
        assert_eq!(Os::current(), expected);
    }
}
