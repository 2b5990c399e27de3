"""What a person reads: the report's text and tables (:mod:`.report`), the figures
(:mod:`.plots`, HoloViews and matplotlib: import it on demand) and numbers formatted for
reading (:mod:`.formatting`). Leaves: nothing below imports them."""
