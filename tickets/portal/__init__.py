"""The customer portal: web form, magic-link sign-in, the customer's own tickets, chat widget."""
