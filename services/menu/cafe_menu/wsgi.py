"""The WSGI entry point gunicorn serves: `gunicorn --config gunicorn.conf.py cafe_menu.wsgi:app`."""
from cafe_menu.app import create_app

app = create_app()
