"""The API's routers, one per concern, included in order by
:func:`~panocolor.web.app.create_app`."""
