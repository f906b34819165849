"""Back-end order entry (Manually Add Order): its forms and their translation into a draft."""
