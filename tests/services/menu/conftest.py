"""The menu app runs from services/menu (its image's working directory), so its package is imported from there."""
import sys
from pathlib import Path

MENU_ROOT = Path(__file__).resolve().parents[3] / "services" / "menu"
if str(MENU_ROOT) not in sys.path:
    sys.path.insert(0, str(MENU_ROOT))
