"""PDF documents: requested with the business change, issued after it, and who may read them."""
