"""Notice when an export is ready: one e-mail per finished export, and the page's browser notification."""
