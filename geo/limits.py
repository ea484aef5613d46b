"""How much the readers read at most, whatever a file declares: every bound in one place. Each is named in the French
message that refuses a file over it; the readers look them up when they run (tests lower them)."""

MIB = 1024 * 1024  # a "Mo" as `geo.fr.octets` and Streamlit's server.maxUploadSize count it

MAX_UPLOAD_BYTES = 50 * MIB  # a CSV or XLSX file, or a zip of a data folder
MAX_GEO_BYTES = 300_000_000  # a geographic file: the largest official one `geo.fetch` accepts (the QPV)
MAX_UNZIPPED_BYTES = 200 * MIB  # the members of a zip (data folder, workbook) once unpacked, together
MAX_ZIP_RATIO = 200  # unpacked / packed size of one member over 1 Mo; text and XML pack about 10 times
MAX_ZIP_MEMBERS = 100  # files in a zip of a data folder or of a shapefile
MAX_WORKBOOK_PARTS = 1000  # parts of an XLSX (sheets, styles, drawings…)

MAX_LINE_CHARS = 100_000  # one line of a CSV: a row of long descriptions is a few thousand
MAX_ROWS = 200_000  # data rows of a table, features of a geographic file
MAX_COLUMNS = 200
MAX_CELLS = 4_000_000  # rows × columns of one table: 200 000 rows of 20 columns

MAX_MANIFEST_BYTES = MIB
