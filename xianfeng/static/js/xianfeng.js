/* The site's own behaviour, loaded by base.html. The Content-Security-Policy allows no inline
   script, so pages declare what they need with data attributes and this file wires it up:
   data-confirm (a form asks before it submits), data-goto (a form that opens prefix + value + "/"),
   data-kids (the organization tree's +/− toggle), the visit form's location button, and the
   phone's menu button. */
(function () {
  "use strict";

  // The main menu folds behind one button on a phone (the CSS decides when); without this
  // script the menu simply stays open and wraps.
  function menuToggle() {
    var button = document.querySelector("header.top .menu-toggle");
    if (!button) return;
    document.documentElement.classList.add("has-menu-toggle");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      button.closest("header").classList.toggle("menu-open", open);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", menuToggle);
  } else {
    menuToggle();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.goto) {
      event.preventDefault();
      var field = form.elements[form.dataset.gotoField || "org"];
      window.location.href = form.dataset.goto + encodeURIComponent(field.value) + "/";
    }
  });

  // Before htmx sees the click (capture phase): a "−" folds the children away without a request.
  document.addEventListener(
    "click",
    function (event) {
      var button = event.target.closest && event.target.closest("button[data-kids]");
      if (!button) return;
      if (button.textContent === "+") {
        button.textContent = "−";
        return; // htmx loads the children
      }
      button.textContent = "+";
      var kids = document.getElementById(button.dataset.kids);
      if (kids) kids.innerHTML = "";
      event.preventDefault();
      event.stopPropagation();
    },
    true
  );

  function visitForm() {
    var form = document.querySelector("form.visit-form");
    if (!form) return;
    var btn = document.getElementById("gps-btn");
    var status = document.getElementById("gps-status");
    if (btn && status) {
      btn.addEventListener("click", function () {
        if (!navigator.geolocation) {
          status.textContent = btn.dataset.unsupported;
          return;
        }
        status.textContent = btn.dataset.locating;
        navigator.geolocation.getCurrentPosition(
          function (pos) {
            document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
            document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
            status.textContent =
              pos.coords.latitude.toFixed(5) + ", " + pos.coords.longitude.toFixed(5);
          },
          function () {
            status.textContent = btn.dataset.failed;
          },
          { timeout: 8000 }
        );
      });
    }
    // A second tap while the first submit is on its way sends nothing; the key makes a resend safe.
    form.addEventListener("submit", function () {
      var submit = document.getElementById("visit-submit");
      if (submit) {
        setTimeout(function () {
          submit.disabled = true;
        }, 0);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", visitForm);
  } else {
    visitForm();
  }
})();
