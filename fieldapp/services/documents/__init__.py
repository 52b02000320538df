"""PDF documents: `requests` records a document with the business change that calls for it,
`issuing` renders and freezes it in the worker, `facts` are the values each template prints,
`access` the public lookup by short code."""
