// After a passkey is registered (django-otp-webauthn's event), go on to name it.
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const after = document.getElementById("passkey-after");
  if (!after || !event.detail || !event.detail.id) return;
  let url = after.dataset.nameUrl.replace("/0/", "/" + encodeURIComponent(event.detail.id) + "/");
  if (after.dataset.next) url += "?next=" + encodeURIComponent(after.dataset.next);
  window.location.assign(url);
});
