"""HL7 v2 ADT feed: an MLLP listener that keeps beds and stays current (``adt-listen``)."""
