"""The auto-order screens: list, page with tabs and actions, forecast, Postpone tool."""
