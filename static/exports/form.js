// The period form never guesses: typing a date selects the date range (and clears the year);
// choosing a year selects the calendar year (and clears the dates).
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const clearDates = () => { for (const id of ["id_date_from", "id_date_to"]) { if ($(id)) $(id).value = ""; } };
  const chooseRange = () => { if ($("mode-range")) $("mode-range").checked = true; if ($("id_year")) $("id_year").value = ""; };
  const chooseYear = () => {
    if ($("mode-year")) $("mode-year").checked = true;
    clearDates();
    const year = $("id_year");
    if (year && !year.value && year.dataset.default) year.value = year.dataset.default;
  };
  document.addEventListener("input", (event) => {
    if (event.target.matches("#id_date_from, #id_date_to") && event.target.value) chooseRange();
  });
  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("#id_date_from, #id_date_to") && target.value) chooseRange();
    else if (target.id === "id_year" && target.value) chooseYear();
    else if (target.id === "mode-year") chooseYear();
    else if (target.id === "mode-range") chooseRange();
  });
})();
