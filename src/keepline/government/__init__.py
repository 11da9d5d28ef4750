"""The government's side: jurisdictions, the registry of key enterprises, resumption
applications, the enterprise's daily report and the city dashboard (issue 16)."""
