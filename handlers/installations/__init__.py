"""Installing mentor-bot in a workspace (OAuth mode): the pages a school's admin sees, and the uninstall events."""
