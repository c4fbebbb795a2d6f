// The answer page: passives (e.g. NPS 7–8) see the program's question for passives
// above the comment box; the others see the usual one.
(function () {
  "use strict";
  const question = document.getElementById("comment-question");
  if (!question) return;
  const passive = question.dataset.passiveScores.split(" ").filter(Boolean);
  document.querySelectorAll("input[name=score]").forEach(function (radio) {
    radio.addEventListener("change", function () {
      question.textContent = passive.includes(radio.value)
        ? question.dataset.passive : question.dataset.default;
    });
  });
})();
