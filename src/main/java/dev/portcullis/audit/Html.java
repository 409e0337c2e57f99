package dev.portcullis.audit;

/** The little HTML the audit reports need: escaping, and one print-friendly style sheet. */
public final class Html {

    /** Plain, printable: a PDF printed from the browser looks like the page. */
    public static final String STYLE = """
      body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:72em;color:#111;line-height:1.4}
      h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc;page-break-after:avoid}
      table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.92em}
      th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
      th{background:#eee}tr{page-break-inside:avoid}code{font-size:.92em}
      .ok{color:#0a6b2a;font-weight:600}.partly{color:#8a5a00;font-weight:600}.bad{color:#b00020;font-weight:600}
      @media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}
      """;

    private Html() {}

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
