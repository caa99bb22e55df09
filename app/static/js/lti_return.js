// Post the signed deep-linking answer back to the LMS at once; the button stays for a blocked script.
document.getElementById("lti-deep-link-return").submit();
